// regex.cc — the C face of RE2 for rules' and tables' regular expressions
// (see regex.h).  The only C++ file of the runtime.
#include "regex.h"

#include <re2/re2.h>

#include <cstdio>
#include <cstring>
#include <new>
#include <string>

struct Rx {
    RE2 re;
    Rx(const re2::StringPiece &p, const RE2::Options &o) : re(p, o) {}
};

// The character (1-based, counting UTF-8 characters) where fragment starts
// in pattern, or 0 when it is not found.
static size_t char_at(const char *pattern, size_t n, const std::string &fragment) {
    if (fragment.empty()) return 0;
    const char *hit = nullptr;
    for (size_t i = 0; i + fragment.size() <= n; i++)
        if (std::memcmp(pattern + i, fragment.data(), fragment.size()) == 0) {
            hit = pattern + i;
            break;
        }
    if (!hit) return 0;
    size_t chars = 1;
    for (const char *p = pattern; p < hit; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
    return chars;
}

extern "C" Rx *rx_new(const char *pattern, size_t n, char *err, size_t errcap) {
    RE2::Options o;
    o.set_log_errors(false);
    o.set_posix_syntax(true); // regcomp's extended syntax ...
    o.set_perl_classes(true); // ... with \d \s \w
    o.set_word_boundary(true); // and \b
    o.set_never_capture(true); // only whether it matches is asked
    o.set_dot_nl(true);       // as regcomp without REG_NEWLINE
    o.set_max_mem(4 << 20);
    Rx *rx = new (std::nothrow) Rx(re2::StringPiece(pattern, n), o);
    if (!rx) {
        if (errcap) std::snprintf(err, errcap, "out of memory");
        return nullptr;
    }
    if (rx->re.ok()) return rx;
    if (errcap) {
        size_t at = char_at(pattern, n, rx->re.error_arg());
        const char *what = rx->re.error().c_str();
        if (rx->re.error_code() == RE2::ErrorBadEscape && rx->re.error_arg().size() == 2 &&
            rx->re.error_arg()[1] >= '1' && rx->re.error_arg()[1] <= '9')
            std::snprintf(err, errcap,
                          "backreferences (%s at character %zu) are not supported: patterns are "
                          "matched in time linear in the text",
                          rx->re.error_arg().c_str(), at);
        else if (at)
            std::snprintf(err, errcap, "%s (at character %zu)", what, at);
        else
            std::snprintf(err, errcap, "%s", what);
    }
    delete rx;
    return nullptr;
}

extern "C" int rx_match(const Rx *rx, const char *s, size_t n) {
    return RE2::PartialMatch(re2::StringPiece(s, n), rx->re) ? 1 : 0;
}

extern "C" void rx_free(Rx *rx) {
    delete rx;
}
