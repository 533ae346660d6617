# How every test of the harness speaks (sourced by lib.sh and by the tests that
# set up on their own, such as t_embedded.sh): a heading, and a failure that
# ends the test (the EXIT trap then cleans up).

say() { printf '## %s\n' "$*"; }

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}
