/* import/parley_cmd.h: the `parley export` and `parley import parley`
 * command lines, around import/parley.h.
 *
 *   parley export --to FILE [--db URL] [--config FILE]
 *   parley import parley FILE [--db URL] [--config FILE] [--dry-run]
 *
 * The export is written to FILE.partial (mode 0600: it holds e-mail
 * addresses) and renamed to FILE once complete,
 * so FILE never holds half an export; `--to -` writes to standard output.
 * A one-line summary goes to standard output (standard error for `--to -`).
 *
 * Exit status: 0 done; 1 a malformed or unreadable file, or a storage
 * failure (the batch at fault rolled back, the line named); 2 a bad flag or
 * value, with one line naming it.
 */
#ifndef PARLEY_IMPORT_PARLEY_CMD_H
#define PARLEY_IMPORT_PARLEY_CMD_H

/* argv[0] is "export". Returns the process exit status. */
int parley_export_main(int argc, char **argv);

/* argv[0] is "parley" (after "import"). Returns the process exit status. */
int parley_import_main(int argc, char **argv);

#endif
