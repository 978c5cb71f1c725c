/* moderation/check_cmd.h: `parley check`, the moderation engine on the
 * command line.
 *
 *   parley check [--article-text FILE] [--article-title TEXT] [--sensitive]
 *                [--parent-text FILE] [--config FILE] [--scores]
 *       reads one comment from standard input and prints the MODERATION JSON
 *       of API.md on one line (with "scores" under --scores: the engine's
 *       scores and every attribute's probability, TOXICITY ... IDENTITY_ATTACK);
 *       exit 0.
 *   parley check --tsv FILE [same options]
 *       reads `id<TAB>text` lines and prints `id<TAB>decision<TAB>rules` per
 *       line (rules comma-separated, `-` when none), each comment judged as
 *       if posted on that article; under --scores a fourth column holds the
 *       attribute probabilities as one JSON object.
 *
 * Usage errors name the bad flag and exit 2; an unreadable file or config
 * exits 1.
 */
#ifndef PARLEY_MODERATION_CHECK_CMD_H
#define PARLEY_MODERATION_CHECK_CMD_H

/* argv[0] is "check". Returns the process exit status. */
int check_cmd_main(int argc, char **argv);

#endif
