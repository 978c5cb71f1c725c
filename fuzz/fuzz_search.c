/* fuzz/fuzz_search.c: the desk's search text on any bytes: store_fts5_query,
 * which makes it an SQLite FTS5 query, and store_search_has_word.
 *
 * Invariants: the query is NULL exactly when the text is blank; otherwise
 * it is double-quoted strings separated by single spaces, which FTS5 runs
 * against a small in-memory table without a syntax error (only text that is
 * not UTF-8 may be refused, and the API never lets such text through), so
 * no text reaches FTS5 as an operator or a column filter; a text that is
 * one of the indexed words finds its row; text without a word character
 * finds nothing.
 */
#include "fuzz.h"
#include "store/store_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;
static sqlite3_stmt *st;

static void
open_db(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(body,"
                     " tokenize='unicode61 remove_diacritics 2');"
                     "INSERT INTO t(rowid, body) VALUES (1, 'the harbour wall held'),"
                     " (2, 'Caf\xc3\xa9 au lait, \"quoted\" words');",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1", -1, &st, NULL) != SQLITE_OK)
        abort();
}

static bool
is_blank(const char *text)
{
    for (const char *p = text; *p != '\0'; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return false;
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    if (db == NULL)
        open_db();
    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    arena *a = arena_new();
    const char *q = store_fts5_query(text, a);
    if ((q == NULL) != is_blank(text))
        abort();
    if (q != NULL) {
        /* "..." strings, one space between them, a quote inside doubled. */
        bool in = false;
        for (const char *p = q; *p != '\0'; p++) {
            if (*p != '"') {
                if (!in && *p != ' ')
                    abort();
                continue;
            }
            if (in && p[1] == '"')
                p++;
            else
                in = !in;
        }
        if (in)
            abort();
        sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
        int rc;
        bool found_wall = false, found_any = false;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            found_any = true;
            found_wall = found_wall || sqlite3_column_int64(st, 0) == 1;
        }
        if (rc != SQLITE_DONE && strstr(sqlite3_errmsg(db), "syntax") != NULL)
            abort();
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (strcmp(text, "wall") == 0 && !found_wall)
            abort();
        if (found_any && !store_search_has_word(text))
            abort();
    }
    arena_free(a);
    free(text);
    return 0;
}
