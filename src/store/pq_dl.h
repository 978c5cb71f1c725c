/* store/pq_dl.h: libpq, opened only when a postgres:// URL is used.
 *
 * Most sites run Parley on SQLite; linking libpq would still map it and the
 * twenty libraries it needs (TLS, Kerberos, LDAP...) into every process, about
 * 6 MB of resident memory for nothing. postgres.c therefore calls libpq
 * through this table, filled by dlopen("libpq.so.5") the first time a
 * PostgreSQL store is opened. After that the table never changes, so every
 * thread may read it. The types and constants still come from libpq-fe.h.
 */
#ifndef PARLEY_STORE_PQ_DL_H
#define PARLEY_STORE_PQ_DL_H

#include <libpq-fe.h>

#include "util/error.h"

#define PQ_FUNCTIONS(X)                                                                            \
    X(PQclear)                                                                                     \
    X(PQcmdStatus)                                                                                 \
    X(PQcmdTuples)                                                                                 \
    X(PQconnectdbParams)                                                                           \
    X(PQconsumeInput)                                                                              \
    X(PQenterPipelineMode)                                                                         \
    X(PQerrorMessage)                                                                              \
    X(PQexec)                                                                                      \
    X(PQexecParams)                                                                                \
    X(PQexecPrepared)                                                                              \
    X(PQexitPipelineMode)                                                                          \
    X(PQflush)                                                                                     \
    X(PQfinish)                                                                                    \
    X(PQfreemem)                                                                                   \
    X(PQgetResult)                                                                                 \
    X(PQgetisnull)                                                                                 \
    X(PQgetlength)                                                                                 \
    X(PQgetvalue)                                                                                  \
    X(PQisBusy)                                                                                    \
    X(PQnfields)                                                                                   \
    X(PQnotifies)                                                                                  \
    X(PQntuples)                                                                                   \
    X(PQpipelineSync)                                                                              \
    X(PQprepare)                                                                                   \
    X(PQreset)                                                                                     \
    X(PQresultErrorField)                                                                          \
    X(PQresultErrorMessage)                                                                        \
    X(PQresultStatus)                                                                              \
    X(PQsendQueryParams)                                                                           \
    X(PQsendQueryPrepared)                                                                         \
    X(PQsetnonblocking)                                                                            \
    X(PQsetNoticeProcessor)                                                                        \
    X(PQsocket)                                                                                    \
    X(PQstatus)                                                                                    \
    X(PQtransactionStatus)

typedef struct pq_api {
/* NOLINTNEXTLINE(bugprone-macro-parentheses): f names a declaration */
#define PQ_MEMBER(f) __typeof__(f) *f;
    PQ_FUNCTIONS(PQ_MEMBER)
#undef PQ_MEMBER
} pq_api;

/* Opens libpq once. 0, or PL_EINVAL with a message saying what to install. */
int pq_load(pl_error *err);

/* The table; valid once pq_load returned 0. */
const pq_api *pq_table(void);

/* In postgres.c, every PQxxx(...) call goes through the table. */
#ifdef PARLEY_PQ_THROUGH_TABLE
#define PQ_REDIRECT(f) (pq_table()->f)
#define PQclear PQ_REDIRECT(PQclear)
#define PQcmdStatus PQ_REDIRECT(PQcmdStatus)
#define PQcmdTuples PQ_REDIRECT(PQcmdTuples)
#define PQconnectdbParams PQ_REDIRECT(PQconnectdbParams)
#define PQconsumeInput PQ_REDIRECT(PQconsumeInput)
#define PQenterPipelineMode PQ_REDIRECT(PQenterPipelineMode)
#define PQerrorMessage PQ_REDIRECT(PQerrorMessage)
#define PQexec PQ_REDIRECT(PQexec)
#define PQexecParams PQ_REDIRECT(PQexecParams)
#define PQexecPrepared PQ_REDIRECT(PQexecPrepared)
#define PQexitPipelineMode PQ_REDIRECT(PQexitPipelineMode)
#define PQflush PQ_REDIRECT(PQflush)
#define PQfinish PQ_REDIRECT(PQfinish)
#define PQfreemem PQ_REDIRECT(PQfreemem)
#define PQgetResult PQ_REDIRECT(PQgetResult)
#define PQgetisnull PQ_REDIRECT(PQgetisnull)
#define PQgetlength PQ_REDIRECT(PQgetlength)
#define PQgetvalue PQ_REDIRECT(PQgetvalue)
#define PQisBusy PQ_REDIRECT(PQisBusy)
#define PQnfields PQ_REDIRECT(PQnfields)
#define PQnotifies PQ_REDIRECT(PQnotifies)
#define PQntuples PQ_REDIRECT(PQntuples)
#define PQpipelineSync PQ_REDIRECT(PQpipelineSync)
#define PQprepare PQ_REDIRECT(PQprepare)
#define PQreset PQ_REDIRECT(PQreset)
#define PQresultErrorField PQ_REDIRECT(PQresultErrorField)
#define PQresultErrorMessage PQ_REDIRECT(PQresultErrorMessage)
#define PQresultStatus PQ_REDIRECT(PQresultStatus)
#define PQsendQueryParams PQ_REDIRECT(PQsendQueryParams)
#define PQsendQueryPrepared PQ_REDIRECT(PQsendQueryPrepared)
#define PQsetnonblocking PQ_REDIRECT(PQsetnonblocking)
#define PQsetNoticeProcessor PQ_REDIRECT(PQsetNoticeProcessor)
#define PQsocket PQ_REDIRECT(PQsocket)
#define PQstatus PQ_REDIRECT(PQstatus)
#define PQtransactionStatus PQ_REDIRECT(PQtransactionStatus)
#endif

#endif
