; The Windows installer of chiso-agent (issue 19), built by makensis from
; Debian's nsis (cmake/windows.cmake: makensis -INPUTCHARSET UTF8 -DVERSION=...
; -DEXE=... -DOUT=...).
;
; Installs chiso-agent.exe in Program Files\chiso, the province's key files and
; the unit's configuration in %ProgramData%\chiso, registers and starts the
; service "chiso-agent" (`chiso-agent service install`, which also makes
; %ProgramData%\chiso readable by the system and the administrators only), and
; puts the shortcut "Nhập số liệu chỉ số" on every user's desktop.  Silent:
;
;   chiso-agent-win64.exe /S /UNIT=21019 /SERVER=chiso.example.vn:7460 /KEYDIR=D:\khoa
;
; (/FORMPORT=N when another program holds the form's port, 7461).
; SERVER is HOST:PORT (the installer adds tcp://: GetOptions would cut a value
; at its next "/").  KEYDIR holds the province's files for this unit: one NAME.key (the agent's
; secret key), server.pub and, during a key rotation, server-next.pub.  An
; upgrade (the same command without the three, or the pages left as they are)
; keeps the configuration and keys in place.  The uninstaller removes the
; service and the program but keeps %ProgramData%\chiso (the undelivered
; batches) unless asked: /PURGE, or the box on its page.  Exit status: 0 done,
; 2 a missing or wrong parameter (the reason in install.log beside the config).

Unicode true
Target amd64-unicode
ManifestSupportedOS all
RequestExecutionLevel admin
SetCompressor /SOLID lzma

!ifndef VERSION
!define VERSION "0.0.0"
!endif
!ifndef EXE
!error "makensis -DEXE=path/to/chiso-agent.exe"
!endif
!ifndef OUT
!define OUT "chiso-agent-win64.exe"
!endif

!define SERVICE "chiso-agent"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\chiso-agent"
!define SHORTCUT "Nhập số liệu chỉ số.url"

Name "chiso-agent ${VERSION}"
OutFile "${OUT}"
InstallDir "$PROGRAMFILES64\chiso"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "nsDialogs.nsh"

Var Unit
Var Server
Var KeyDir
Var FormPort    ; the form's port when 7461 is taken (/FORMPORT=)
Var Data        ; %ProgramData%\chiso
Var Conf        ; its chiso-agent.conf
Var UnitField
Var ServerField
Var KeyDirField
Var Purge
Var Url         ; the form's address, with its secret
Var PurgeBox

!define MUI_ABORTWARNING
Page custom UnitPage UnitPageLeave
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
UninstPage custom un.PurgePage un.PurgePageLeave
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Vietnamese"

; Fails the install with a reason: a message box, or in a silent install the
; exit status 2 and the reason in $Data\install.log.
!macro Fail reason
	${If} ${Silent}
		CreateDirectory "$Data"
		FileOpen $9 "$Data\install.log" a
		FileWriteUTF16LE $9 "${reason}$\r$\n"
		FileClose $9
	${Else}
		MessageBox MB_ICONSTOP "${reason}"
	${EndIf}
	SetErrorLevel 2
	Quit
!macroend

Function .onInit
	SetShellVarContext all
	StrCpy $Data "$APPDATA\chiso"
	StrCpy $Conf "$Data\chiso-agent.conf"
	${GetParameters} $R0
	${GetOptions} $R0 "/UNIT=" $Unit
	${GetOptions} $R0 "/SERVER=" $Server
	${GetOptions} $R0 "/KEYDIR=" $KeyDir
	${GetOptions} $R0 "/FORMPORT=" $FormPort
	ClearErrors
FunctionEnd

Function UnitPage
	!insertmacro MUI_HEADER_TEXT "Đơn vị và máy chủ" "Thông tin do tỉnh cung cấp cho đơn vị này"
	nsDialogs::Create 1018
	Pop $0
	${NSD_CreateLabel} 0 0 100% 12u "Mã đơn vị (ví dụ 21019):"
	${NSD_CreateText} 0 13u 100% 12u "$Unit"
	Pop $UnitField
	${NSD_CreateLabel} 0 32u 100% 12u "Địa chỉ máy chủ của tỉnh (TÊN-MÁY:7460):"
	${NSD_CreateText} 0 45u 100% 12u "$Server"
	Pop $ServerField
	${NSD_CreateLabel} 0 64u 100% 24u "Thư mục chứa các tệp khóa (TÊN.key, server.pub); để trống khi nâng cấp:"
	${NSD_CreateDirRequest} 0 89u 100% 12u "$KeyDir"
	Pop $KeyDirField
	nsDialogs::Show
FunctionEnd

Function UnitPageLeave
	${NSD_GetText} $UnitField $Unit
	${NSD_GetText} $ServerField $Server
	${NSD_GetText} $KeyDirField $KeyDir
FunctionEnd

; The province's key files from $KeyDir into $Data\keys: its one NAME.key
; becomes agent.key, server.pub and server-next.pub keep their names.
Function CopyKeys
	FindFirst $0 $1 "$KeyDir\*.key"
	${If} $1 == ""
		FindClose $0
		!insertmacro Fail "Không thấy tệp khóa bí mật (*.key) trong $KeyDir."
	${EndIf}
	FindNext $0 $2
	FindClose $0
	${If} $2 != ""
		!insertmacro Fail "Thư mục $KeyDir có hơn một tệp *.key ($1, $2): chỉ để lại khóa của đơn vị này."
	${EndIf}
	${IfNot} ${FileExists} "$KeyDir\server.pub"
		!insertmacro Fail "Không thấy tệp server.pub (khóa công khai của máy chủ tỉnh) trong $KeyDir."
	${EndIf}
	CreateDirectory "$Data\keys"
	CopyFiles /SILENT "$KeyDir\$1" "$Data\keys\agent.key"
	CopyFiles /SILENT "$KeyDir\server.pub" "$Data\keys\server.pub"
	${If} ${FileExists} "$KeyDir\server-next.pub"
		CopyFiles /SILENT "$KeyDir\server-next.pub" "$Data\keys\server-next.pub"
	${EndIf}
FunctionEnd

; The unit's configuration: what differs from the defaults (chiso-agent --defaults).
Function WriteConf
	StrCpy $1 $Server 6
	${If} $1 != "tcp://"
		StrCpy $Server "tcp://$Server"
	${EndIf}
	FileOpen $0 "$Conf" w
	FileWrite $0 "# chiso-agent.conf of unit $Unit, written by the installer (chiso-agent.conf(5)).$\r$\n"
	FileWrite $0 "# Check a change with: chiso-agent -n; then restart the service chiso-agent.$\r$\n"
	FileWrite $0 "server: {$\r$\n"
	FileWrite $0 "$\tendpoint = $\"$Server$\";$\r$\n"
	FileWrite $0 "$\tpublic_key_file = $\"%ProgramData%/chiso/keys/server.pub$\";$\r$\n"
	FileWrite $0 "$\tpublic_key_next_file = $\"%ProgramData%/chiso/keys/server-next.pub$\";$\r$\n"
	FileWrite $0 "};$\r$\n"
	FileWrite $0 "agent: {$\r$\n"
	FileWrite $0 "$\tsecret_key_file = $\"%ProgramData%/chiso/keys/agent.key$\";$\r$\n"
	FileWrite $0 "$\toutbox_dir = $\"%ProgramData%/chiso/agent/outbox$\";$\r$\n"
	FileWrite $0 "};$\r$\n"
	${If} $FormPort != ""
		FileWrite $0 "form: {$\r$\n$\tport = $FormPort;$\r$\n};$\r$\n"
	${EndIf}
	FileClose $0
FunctionEnd

; The form's address for the desktop shortcut, an Internet shortcut: its
; per-install secret (drawn here by `chiso-agent form-url`, run as an
; administrator, before `service install` makes the folder private) is read
; by no officer, who only clicks the shortcut.
Function FormUrl
	nsExec::ExecToStack '"$INSTDIR\chiso-agent.exe" -f "$Conf" form-url'
	Pop $0
	Pop $Url
	${If} $0 != 0
		!insertmacro Fail "Không lấy được địa chỉ biểu mẫu: $Url"
	${EndIf}
	; The command's line end (CR LF) off.
	${Do}
		StrCpy $0 $Url 1 -1
		${If} $0 != "$\r"
		${AndIf} $0 != "$\n"
			${Break}
		${EndIf}
		StrCpy $Url $Url -1
	${Loop}
FunctionEnd

Section "chiso-agent"
	SetShellVarContext all
	; An upgrade: the running service lets go of the program first.
	${If} ${FileExists} "$INSTDIR\chiso-agent.exe"
		nsExec::Exec '"$INSTDIR\chiso-agent.exe" service stop'
		Pop $0
	${EndIf}
	${If} $KeyDir == ""
	${AndIfNot} ${FileExists} "$Data\keys\agent.key"
		!insertmacro Fail "Thiếu thư mục khóa: /KEYDIR=THƯ-MỤC (tệp TÊN.key và server.pub do tỉnh cấp)."
	${EndIf}
	${If} $Server == ""
	${AndIfNot} ${FileExists} "$Conf"
		!insertmacro Fail "Thiếu địa chỉ máy chủ của tỉnh: /SERVER=TÊN-MÁY:7460."
	${EndIf}
	SetOutPath "$INSTDIR"
	File "/oname=chiso-agent.exe" "${EXE}"
	WriteUninstaller "$INSTDIR\uninstall.exe"
	CreateDirectory "$Data\agent\outbox"
	${If} $KeyDir != ""
		Call CopyKeys
	${EndIf}
	${If} $Server != ""
		Call WriteConf
	${EndIf}
	Call FormUrl
	; Private folders, the keys checked, the service registered and started.
	nsExec::ExecToStack '"$INSTDIR\chiso-agent.exe" -f "$Conf" service install'
	Pop $0
	Pop $1
	${If} $0 != 0
		!insertmacro Fail "Không cài được dịch vụ ${SERVICE}: $1"
	${EndIf}
	Delete "$DESKTOP\${SHORTCUT}"
	WriteINIStr "$DESKTOP\${SHORTCUT}" "InternetShortcut" "URL" "$Url"
	WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "chiso-agent (gửi số liệu chỉ số)"
	WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "chiso"
	WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
	WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Function un.onInit
	SetShellVarContext all
	StrCpy $Data "$APPDATA\chiso"
	${GetParameters} $R0
	ClearErrors
	${GetOptions} $R0 "/PURGE" $R1
	${IfNot} ${Errors}
		StrCpy $Purge 1
	${EndIf}
FunctionEnd

Function un.PurgePage
	!insertmacro MUI_HEADER_TEXT "Gỡ bỏ chiso-agent" "Số liệu chưa gửi được giữ lại, trừ khi bạn chọn xóa"
	nsDialogs::Create 1018
	Pop $0
	${NSD_CreateLabel} 0 0 100% 36u "Dịch vụ và chương trình sẽ được gỡ bỏ. Thư mục $Data (cấu hình, khóa và các lô số liệu chưa gửi về tỉnh) được giữ lại để cài lại sau vẫn gửi tiếp."
	${NSD_CreateCheckbox} 0 44u 100% 12u "Xóa cả số liệu chưa gửi, cấu hình và khóa"
	Pop $PurgeBox
	nsDialogs::Show
FunctionEnd

Function un.PurgePageLeave
	${NSD_GetState} $PurgeBox $0
	${If} $0 == ${BST_CHECKED}
		StrCpy $Purge 1
	${EndIf}
FunctionEnd

Section "Uninstall"
	SetShellVarContext all
	nsExec::ExecToStack '"$INSTDIR\chiso-agent.exe" service uninstall'
	Pop $0
	Pop $1
	${If} $0 != 0
		DetailPrint "${SERVICE}: $1"
	${EndIf}
	Delete "$DESKTOP\${SHORTCUT}"
	Delete "$INSTDIR\chiso-agent.exe"
	DeleteRegKey HKLM "${UNINSTKEY}"
	${If} $Purge == 1
		RMDir /r "$Data"
	${EndIf}
	; Last, so that a script waiting for the uninstaller watches this file.
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
SectionEnd
