/* main.c: placeholder entry point while the server is built. */
#include <stdio.h>
int
main(void)
{
    puts("parley: under construction");
    return 0;
}
