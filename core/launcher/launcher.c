/*
 * rkt-run's setuid-root launcher: the only setuid file of rkttui.
 *
 * Linux ignores the setuid bit on scripts, so this program carries it. It
 * runs exactly one interpreter on exactly one script, both fixed when
 * rkt-run-admin compiles it, in isolated mode:
 *
 *     RKT_INTERPRETER -I -S -B RKT_ENTRY ARGS...
 *
 * Both must be root's alone, and every directory above them, or it refuses.
 * Nothing the caller sets may change which code runs as root, so first it
 * opens /dev/null on any closed standard stream (no file root opens later
 * may become someone's stdout), closes every other descriptor, sets the
 * umask to 022 and no_new_privs, and replaces the environment with a fixed
 * one. Each of the caller's variables NAME=VALUE is passed on as
 * RKT_RUN_CALLER_NAME=VALUE, a name that neither the dynamic loader nor the
 * interpreter reads, for the core's [environment] templates.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(RKT_INTERPRETER) || !defined(RKT_ENTRY)
#error "compile with -DRKT_INTERPRETER='\"/abs/python\"' -DRKT_ENTRY='\"/abs/script\"'"
#endif

#define CALLER_PREFIX "RKT_RUN_CALLER_"
#define MAX_VARIABLES 4096
#define MAX_ENVIRONMENT_BYTES (256 * 1024)

extern char **environ;

static const char *const fixed_environment[] = {
    "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
    "LC_ALL=C.UTF-8",
    "RKT_RUN_LAUNCHER=1",
};
#define FIXED (sizeof fixed_environment / sizeof *fixed_environment)

static const char *const interpreter_options[] = {"-I", "-S", "-B", RKT_ENTRY};
#define OPTIONS (sizeof interpreter_options / sizeof *interpreter_options)

/* Say why in one line on stderr and exit with EX_NOPERM. */
static void refuse(const char *why)
{
    static const char program[] = "rkt-run: ";
    (void)!write(2, program, sizeof program - 1);
    (void)!write(2, why, strlen(why));
    (void)!write(2, "\n", 1);
    _exit(77);
}

/* Refuse unless root alone may change path and every directory above it.
 * Others may write only a sticky directory (like /tmp); links are refused,
 * since rkt-run-admin installs none. */
static void check_trusted(const char *path)
{
    char walk[4096];
    size_t length = strlen(path);
    if (path[0] != '/' || length >= sizeof walk)
        refuse("built with a path that is not absolute; ask your admin to run "
               "rkt-run-admin install");
    memcpy(walk, path, length + 1);
    for (;;) {
        struct stat info;
        if (lstat(walk, &info) != 0 || info.st_uid != 0 || S_ISLNK(info.st_mode)
            || ((info.st_mode & 022) && !(S_ISDIR(info.st_mode)
                                          && (info.st_mode & S_ISVTX))))
            refuse("the interpreter or rkt-run's script could be changed by "
                   "someone other than root; ask your admin to run "
                   "rkt-run-admin check");
        if (length == 1)
            return;
        char *slash = strrchr(walk, '/');
        length = slash == walk ? 1 : (size_t)(slash - walk);
        walk[length] = '\0';
    }
}

/* Open /dev/null on each closed standard stream, lowest first. */
static void open_standard_streams(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
            refuse("cannot open /dev/null in place of a closed standard stream");
}

/* Close every descriptor above the standard streams. */
static void close_other_descriptors(void)
{
    if (close_range(3, ~0U, 0) == 0)
        return;
    for (long fd = 3, end = sysconf(_SC_OPEN_MAX); fd < end; fd++)
        close((int)fd);
}

/* Return the fixed environment plus the caller's variables, renamed. */
static char **launch_environment(void)
{
    size_t count = 0, bytes = 0;
    for (char **var = environ; *var; var++, count++)
        bytes += sizeof CALLER_PREFIX + strlen(*var);
    if (count > MAX_VARIABLES || bytes > MAX_ENVIRONMENT_BYTES)
        refuse("your environment is too large; unset some variables and retry");
    char **env = calloc(FIXED + count + 1, sizeof *env);
    if (env == NULL)
        refuse("out of memory");
    size_t n = 0;
    for (; n < FIXED; n++)
        env[n] = (char *)fixed_environment[n];
    for (char **var = environ; *var; var++) {
        if (**var == '=' || strchr(*var, '=') == NULL)
            continue;
        size_t size = sizeof CALLER_PREFIX + strlen(*var);
        if ((env[n] = malloc(size)) == NULL)
            refuse("out of memory");
        memcpy(env[n], CALLER_PREFIX, sizeof CALLER_PREFIX - 1);
        strcpy(env[n++] + sizeof CALLER_PREFIX - 1, *var);
    }
    return env;
}

int main(int argc, char **argv)
{
    if (argc < 1)
        refuse("started without a program name; run it as rkt-run");
    open_standard_streams();
    close_other_descriptors();
    umask(022);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        refuse("cannot set no_new_privs");
    check_trusted(RKT_INTERPRETER);
    check_trusted(RKT_ENTRY);
    char **env = launch_environment();
    char **args = calloc(1 + OPTIONS + (size_t)argc, sizeof *args);
    if (args == NULL)
        refuse("out of memory");
    args[0] = RKT_INTERPRETER;
    for (size_t i = 0; i < OPTIONS; i++)
        args[1 + i] = (char *)interpreter_options[i];
    for (int i = 1; i < argc; i++)
        args[OPTIONS + i] = argv[i];
    execve(RKT_INTERPRETER, args, env);
    refuse("cannot execute " RKT_INTERPRETER "; ask your admin to run "
           "rkt-run-admin check");
    return 77;
}
