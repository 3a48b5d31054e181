/* test_lsp_transport.c — LSP framing (lsp/transport.c): messages read back
 * as written, several in one read and one split over many, other headers
 * ignored, and malformed or cut-short input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "transport.h"

/* A pipe holding `data`, its write end closed; returns the read end. */
static int pipe_with(const char *data, size_t len) {
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    assert_true(len < 60000); /* fits the pipe's buffer */
    assert_int_equal(write(fd[1], data, len), (ssize_t)len);
    close(fd[1]);
    return fd[0];
}

static void expect_body(LspReader *r, const char *want) {
    char *body;
    size_t len;
    assert_int_equal(lsp_read(r, &body, &len), 1);
    assert_int_equal(len, strlen(want));
    assert_string_equal(body, want);
    free(body);
}

static void test_round_trip(void **state) {
    (void)state;
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    const char *a = "{\"id\":1}", *b = "{\"text\":\"医保 \\r\\n\"}";
    assert_int_equal(lsp_write(fd[1], a, strlen(a)), 0);
    assert_int_equal(lsp_write(fd[1], b, strlen(b)), 0);
    assert_int_equal(lsp_write(fd[1], "", 0), 0);
    close(fd[1]);
    LspReader r;
    lsp_reader_init(&r, fd[0]);
    expect_body(&r, a);
    expect_body(&r, b);
    expect_body(&r, "");
    char *body;
    size_t len;
    assert_int_equal(lsp_read(&r, &body, &len), 0); /* the end */
    lsp_reader_free(&r);
    close(fd[0]);
}

static void test_headers(void **state) {
    (void)state;
    const char *in = "content-length: 2\r\nContent-Type: application/vscode-jsonrpc; "
                     "charset=utf-8\r\n\r\n{}"
                     "Content-Type: x\r\nContent-Length:  3 \r\n\r\n[1]";
    int fd = pipe_with(in, strlen(in));
    LspReader r;
    lsp_reader_init(&r, fd);
    expect_body(&r, "{}");
    expect_body(&r, "[1]");
    lsp_reader_free(&r);
    close(fd);
}

static void refused(const char *in) {
    int fd = pipe_with(in, strlen(in));
    LspReader r;
    lsp_reader_init(&r, fd);
    char *body;
    size_t len;
    assert_int_equal(lsp_read(&r, &body, &len), -1);
    lsp_reader_free(&r);
    close(fd);
}

static void test_malformed(void **state) {
    (void)state;
    refused("Content-Length: x\r\n\r\n{}");
    refused("Content-Type: y\r\n\r\n{}");    /* no length */
    refused("Content-Length: 10\r\n\r\n{}"); /* cut short */
    refused("Content-Length: 2\r\n");        /* a header cut short */
    refused("Content-Length: -2\r\n\r\n{}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
