/* main.c: placeholder entry point while the server is built; dispatches
 * `parley check` to the moderation engine's command. */
#include <stdio.h>
#include <string.h>

#include "moderation/check_cmd.h"

int
main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "check"))
        return check_cmd_main(argc - 1, argv + 1);
    puts("parley: under construction");
    return 0;
}
