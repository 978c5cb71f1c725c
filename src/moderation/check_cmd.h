/* moderation/check_cmd.h: `parley check`, the moderation engine on the
 * command line (one comment from standard input, or a TSV corpus). */
#ifndef PARLEY_MODERATION_CHECK_CMD_H
#define PARLEY_MODERATION_CHECK_CMD_H

/* argv[0] is "check". Returns the process exit status. */
int check_cmd_main(int argc, char **argv);

#endif
