/* store/backup.h: `parley backup` and `parley restore` for SQLite.
 *
 *   parley backup [--db sqlite:PATH] [--config FILE] --to FILE [--force]
 *       copies the database with SQLite's online backup API while a server
 *       keeps writing: one read transaction for the whole copy, so the copy
 *       is the database as it was at one instant, holding every write
 *       committed (and so acknowledged) before the backup began. The copy is
 *       written beside FILE as FILE.partial, switched to a single file
 *       (journal_mode DELETE), checked (PRAGMA quick_check, schema version,
 *       row counts), synced and renamed to FILE; a summary line goes to
 *       standard output.
 *   parley restore --from FILE [--db sqlite:PATH] [--config FILE] [--force]
 *       checks FILE the same way, then copies it into the database (which
 *       must not be in use: stop the server first; an existing database is
 *       replaced only with --force). A newer program migrates it on start.
 *
 * PostgreSQL databases are backed up with its own tools (docs/DEPLOY.md);
 * both commands say so and exit 2 for a postgres:// URL.
 *
 * Exit status: 0 done; 1 the copy or its check failed (FILE untouched);
 * 2 a bad flag or value.
 */
#ifndef PARLEY_STORE_BACKUP_H
#define PARLEY_STORE_BACKUP_H

/* argv[0] is "backup" or "restore". Returns the process exit status. */
int backup_cmd_main(int argc, char **argv);
int restore_cmd_main(int argc, char **argv);

#endif
