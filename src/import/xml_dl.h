/* import/xml_dl.h: libxml2, opened only when an import runs.
 *
 * Only `parley import` reads XML, but Debian's libxml2 brings ICU and the
 * C++ runtime with it: linked into the binary, they were mapped into every
 * `parley serve` too and added about 1.7 MB to its resident memory for
 * nothing. The importer therefore calls libxml2 through this table, filled
 * by dlopen("libxml2.so.2") the first time xml_load() runs; after that the
 * table never changes, so any thread may read it. Types and constants still
 * come from libxml2's headers (libxml2-dev at build time, libxml2 at run
 * time). store/pq_dl.h does the same for libpq.
 */
#ifndef PARLEY_IMPORT_XML_DL_H
#define PARLEY_IMPORT_XML_DL_H

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "util/error.h"

#define XML_FUNCTIONS(X)                                                                           \
    X(htmlReadMemory)                                                                              \
    X(xmlFreeDoc)                                                                                  \
    X(xmlFreeTextReader)                                                                           \
    X(xmlGetProp)                                                                                  \
    X(xmlNodeGetContent)                                                                           \
    X(xmlReaderForIO)                                                                              \
    X(xmlStrcasecmp)                                                                               \
    X(xmlTextReaderConstLocalName)                                                                 \
    X(xmlTextReaderConstValue)                                                                     \
    X(xmlTextReaderDepth)                                                                          \
    X(xmlTextReaderGetAttribute)                                                                   \
    X(xmlTextReaderGetAttributeNs)                                                                 \
    X(xmlTextReaderGetParserLineNumber)                                                            \
    X(xmlTextReaderIsEmptyElement)                                                                 \
    X(xmlTextReaderNodeType)                                                                       \
    X(xmlTextReaderRead)                                                                           \
    X(xmlTextReaderSetStructuredErrorHandler)

typedef struct xml_api {
/* NOLINTNEXTLINE(bugprone-macro-parentheses): f names a declaration */
#define XML_MEMBER(f) __typeof__(f) *f;
    XML_FUNCTIONS(XML_MEMBER)
#undef XML_MEMBER
    /* libxml2's deallocator is a variable (xmlFree), not a function. */
    xmlFreeFunc *free_fn;
} xml_api;

/* Opens libxml2 once. 0, or PL_EINVAL with a message saying what to
 * install. err may be NULL. */
int xml_load(pl_error *err);

/* The table; valid once xml_load returned 0. */
const xml_api *xml_table(void);

/* In the importer's sources, every libxml2 call goes through the table. */
#ifdef PARLEY_XML_THROUGH_TABLE
#define XML_REDIRECT(f) (xml_table()->f)
#define htmlReadMemory XML_REDIRECT(htmlReadMemory)
#define xmlFreeDoc XML_REDIRECT(xmlFreeDoc)
#define xmlFreeTextReader XML_REDIRECT(xmlFreeTextReader)
#define xmlGetProp XML_REDIRECT(xmlGetProp)
#define xmlNodeGetContent XML_REDIRECT(xmlNodeGetContent)
#define xmlReaderForIO XML_REDIRECT(xmlReaderForIO)
#define xmlStrcasecmp XML_REDIRECT(xmlStrcasecmp)
#define xmlTextReaderConstLocalName XML_REDIRECT(xmlTextReaderConstLocalName)
#define xmlTextReaderConstValue XML_REDIRECT(xmlTextReaderConstValue)
#define xmlTextReaderDepth XML_REDIRECT(xmlTextReaderDepth)
#define xmlTextReaderGetAttribute XML_REDIRECT(xmlTextReaderGetAttribute)
#define xmlTextReaderGetAttributeNs XML_REDIRECT(xmlTextReaderGetAttributeNs)
#define xmlTextReaderGetParserLineNumber XML_REDIRECT(xmlTextReaderGetParserLineNumber)
#define xmlTextReaderIsEmptyElement XML_REDIRECT(xmlTextReaderIsEmptyElement)
#define xmlTextReaderNodeType XML_REDIRECT(xmlTextReaderNodeType)
#define xmlTextReaderRead XML_REDIRECT(xmlTextReaderRead)
#define xmlTextReaderSetStructuredErrorHandler XML_REDIRECT(xmlTextReaderSetStructuredErrorHandler)
#undef xmlFree
#define xmlFree (*xml_table()->free_fn)
#endif

#endif
