/* util/le.h: little-endian 32-bit integers and floats in byte buffers, as
 * the model files (moderation/classifier.c, moderation/spamscore.c) store
 * them whatever the machine's byte order.
 */
#ifndef PARLEY_UTIL_LE_H
#define PARLEY_UTIL_LE_H
#include <stdint.h>
#include <string.h>

static inline uint32_t
le_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void
le_put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static inline float
le_get_f32(const unsigned char *p)
{
    uint32_t u = le_get_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline void
le_put_f32(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    le_put_u32(p, u);
}

#endif
