/* Fuzz target: the configuration loader (chisod.conf and agent.conf through one table). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "agentconf.h"
#include "srvconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	snprintf(path, sizeof path, "/tmp/chiso-fuzz-config.%d", (int)getpid());
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	struct srvconf *s = srvconf_load(path, err, sizeof err);
	srvconf_destroy(&s);
	struct agentconf *a = agentconf_load(path, err, sizeof err);
	agentconf_destroy(&a);
	unlink(path);
	return 0;
}
