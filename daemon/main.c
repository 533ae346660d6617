/* Placeholder until the program lands (issue 2); replaced, not shipped. */
#include "log.h"
int main(void)
{
	log_init("chiso", LOGL_INFO);
	log_fatal("not built yet");
}
