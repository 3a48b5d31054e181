/* test_outfile.c — output files replaced whole or not at all: until the
 * commit the target keeps its old bytes and the new ones are in a
 * temporary file .NAME.XXXXXX beside it; the commit renames it over the
 * target (keeping the old file's mode, or the umask's for a new one; through
 * a symbolic link, the file it points to; a read-only file is EACCES); an abort removes it and
 * leaves the target; a commit that fails does the same and returns the errno; /dev/null and
 * /dev/full are written in place and stay devices; a directory is EISDIR; out of memory is ENOMEM
 * with nothing created; same_file and same_target tell paths of one file apart from others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc_budget.h"
#include "outfile.h"

static char dir[64];

static int setup(void **state) {
    (void)state;
    strcpy(dir, "/tmp/test_outfile.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *in_dir(const char *name) {
    static char bufs[16][256];
    static int k;
    char *b = bufs[k++ % 16];
    snprintf(b, 256, "%s/%s", dir, name);
    return b;
}

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The file's bytes (static buffer), or NULL when it cannot be read. */
static const char *slurp(const char *path) {
    static char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Entries of dir whose name starts with a dot (temporary files). */
static int hidden_files(void) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_new_file(void **state) {
    (void)state;
    const char *p = in_dir("new.txt");
    OutFile o;
    assert_int_equal(outf_open(&o, p, mem_default()), 0);
    assert_true(outf_is_open(&o));
    assert_int_equal(outf_write(&o, "hello ", 6), 0);
    assert_int_equal(outf_write(&o, "world\n", 6), 0);
    assert_int_equal(access(p, F_OK), -1); /* nothing there before the commit */
    assert_int_equal(hidden_files(), 1);
    assert_non_null(strstr(o.tmp, "/.new.txt."));
    assert_int_equal(outf_commit(&o, 1), 0);
    assert_false(outf_is_open(&o));
    assert_string_equal(slurp(p), "hello world\n");
    assert_int_equal(hidden_files(), 0);
    mode_t mask = umask(022);
    umask(mask);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
    assert_int_equal(outf_commit(&o, 0), 0); /* closed: nothing to do */
    outf_abort(&o);
    assert_string_equal(slurp(p), "hello world\n");
    unlink(p);
}

static void test_replace_keeps_mode(void **state) {
    (void)state;
    const char *p = in_dir("old.txt");
    put(p, "old contents\n");
    assert_int_equal(chmod(p, 0640), 0);
    OutFile o;
    assert_int_equal(outf_open(&o, p, mem_default()), 0);
    assert_int_equal(outf_write(&o, "new\n", 4), 0);
    assert_string_equal(slurp(p), "old contents\n"); /* untouched until the commit */
    assert_int_equal(outf_commit(&o, 0), 0);
    assert_string_equal(slurp(p), "new\n");
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(hidden_files(), 0);
    /* read-only: not replaced, as it could not be written in place */
    assert_int_equal(chmod(p, 0444), 0);
    if (geteuid() != 0) {
        assert_int_equal(outf_open(&o, p, mem_default()), EACCES);
        assert_string_equal(slurp(p), "new\n");
        assert_int_equal(hidden_files(), 0);
    }
    unlink(p);
}

static void test_abort_leaves_target(void **state) {
    (void)state;
    const char *p = in_dir("kept.txt"), *q = in_dir("never.txt");
    put(p, "keep me\n");
    OutFile o, n;
    assert_int_equal(outf_open(&o, p, mem_default()), 0);
    assert_int_equal(outf_open(&n, q, mem_default()), 0);
    assert_int_equal(outf_write(&o, "half of a", 9), 0);
    assert_int_equal(outf_write(&n, "x", 1), 0);
    assert_int_equal(hidden_files(), 2);
    outf_abort(&o);
    outf_abort(&n);
    assert_false(outf_is_open(&o));
    assert_string_equal(slurp(p), "keep me\n");
    assert_int_equal(access(q, F_OK), -1);
    assert_int_equal(hidden_files(), 0);
    assert_int_equal(outf_write(&o, "x", 1), EBADF); /* closed */
    unlink(p);
}

static void test_failed_commit_removes_temp(void **state) {
    (void)state;
    const char *p = in_dir("became_a_dir");
    OutFile o;
    assert_int_equal(outf_open(&o, p, mem_default()), 0);
    assert_int_equal(outf_write(&o, "x", 1), 0);
    /* the target turns into a directory that is not empty: rename fails */
    assert_int_equal(mkdir(p, 0755), 0);
    put(in_dir("became_a_dir/inside"), "y");
    assert_int_not_equal(outf_commit(&o, 0), 0);
    assert_false(outf_is_open(&o));
    assert_int_equal(hidden_files(), 0);
    assert_string_equal(slurp(in_dir("became_a_dir/inside")), "y");
    unlink(in_dir("became_a_dir/inside"));
    rmdir(p);
}

static void test_devices_in_place(void **state) {
    (void)state;
    OutFile o;
    assert_int_equal(outf_open(&o, "/dev/null", mem_default()), 0);
    assert_null(o.tmp);
    assert_int_equal(outf_write(&o, "gone", 4), 0);
    assert_int_equal(outf_commit(&o, 1), 0);
    assert_int_equal(outf_open(&o, "/dev/null", mem_default()), 0);
    outf_abort(&o);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    if (stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode)) {
        assert_int_equal(outf_open(&o, "/dev/full", mem_default()), 0);
        assert_int_equal(outf_write(&o, "x", 1), 0); /* buffered */
        assert_int_equal(outf_commit(&o, 0), ENOSPC);
        assert_int_equal(stat("/dev/full", &st), 0);
        assert_true(S_ISCHR(st.st_mode));
    }
    /* standard output: written, flushed, never closed */
    assert_int_equal(outf_open(&o, "-", mem_default()), 0);
    assert_ptr_equal(o.f, stdout);
    assert_int_equal(outf_commit(&o, 1), 0);
    assert_int_equal(fflush(stdout), 0);
}

static void test_errors(void **state) {
    (void)state;
    OutFile o;
    assert_int_equal(outf_open(&o, dir, mem_default()), EISDIR);
    assert_false(outf_is_open(&o));
    assert_int_equal(outf_open(&o, in_dir("no/such/dir/x"), mem_default()), ENOENT);
    Budget none = {0}, one = {1};
    Alloc a0 = {budget_alloc, &none}, a1 = {budget_alloc, &one};
    assert_int_equal(outf_open(&o, in_dir("oom"), a0), ENOMEM);
    assert_int_equal(outf_open(&o, in_dir("oom"), a1), ENOMEM);
    assert_false(outf_is_open(&o));
    assert_int_equal(access(in_dir("oom"), F_OK), -1);
    assert_int_equal(hidden_files(), 0);
}

static void test_symlink(void **state) {
    (void)state;
    const char *real = in_dir("real.txt"), *link = in_dir("link.txt");
    put(real, "before\n");
    assert_int_equal(symlink("real.txt", link), 0);
    OutFile o;
    assert_int_equal(outf_open(&o, link, mem_default()), 0);
    assert_int_equal(outf_write(&o, "after\n", 6), 0);
    assert_int_equal(outf_commit(&o, 0), 0);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode)); /* still a link */
    assert_string_equal(slurp(real), "after\n");
    unlink(link);
    unlink(real);
}

static void test_same_file(void **state) {
    (void)state;
    const char *a = in_dir("a"), *b = in_dir("b"), *h = in_dir("hard"), *s = in_dir("soft");
    put(a, "a");
    put(b, "b");
    assert_int_equal(link(a, h), 0);
    assert_int_equal(symlink("a", s), 0);
    char dotted[300];
    snprintf(dotted, sizeof dotted, "%s/./a", dir);
    assert_true(outf_same_file(a, a));
    assert_true(outf_same_file(a, dotted));
    assert_true(outf_same_file(a, h));
    assert_true(outf_same_file(s, a));
    assert_false(outf_same_file(a, b));
    assert_false(outf_same_file(a, in_dir("missing")));
    assert_false(outf_same_file(in_dir("missing"), in_dir("missing")));
    assert_false(outf_same_file("-", "-"));
    /* same_target: regular files as above; new paths by directory and name;
     * devices never */
    assert_true(outf_same_target(a, h));
    assert_true(outf_same_target(s, dotted));
    assert_false(outf_same_target(a, b));
    char newdotted[300];
    snprintf(newdotted, sizeof newdotted, "%s/./new", dir);
    assert_true(outf_same_target(in_dir("new"), newdotted));
    assert_false(outf_same_target(in_dir("new"), in_dir("other")));
    assert_false(outf_same_target(in_dir("new"), a));
    assert_false(outf_same_target("/dev/null", "/dev/null"));
    assert_false(outf_same_target("-", "-"));
    unlink(a);
    unlink(b);
    unlink(h);
    unlink(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_file),
        cmocka_unit_test(test_replace_keeps_mode),
        cmocka_unit_test(test_abort_leaves_target),
        cmocka_unit_test(test_failed_commit_removes_temp),
        cmocka_unit_test(test_devices_in_place),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_symlink),
        cmocka_unit_test(test_same_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
