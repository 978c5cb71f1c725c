/* import/import_cmd.h: `parley import`, bringing comment history from
 * another system into Parley.
 *
 *   parley import disqus FILE [--db URL] [--config FILE] [--force] [--dry-run]
 *                             [--moderate] [--log-level LEVEL]
 *       reads a Disqus XML export (import/disqus.h) and stores its threads
 *       and comments (import/import.h). Progress and warnings go to standard
 *       error, a one-line summary to standard output.
 *
 * Exit status: 0 when the import ran (skipped threads included); 1 for a
 * malformed or unreadable file (nothing written) or a storage failure (the
 * failing thread rolled back); 2 for a bad flag or value, with one line
 * naming it, as every other command.
 */
#ifndef PARLEY_IMPORT_IMPORT_CMD_H
#define PARLEY_IMPORT_IMPORT_CMD_H

/* argv[0] is "import". Returns the process exit status. */
int import_cmd_main(int argc, char **argv);

#endif
