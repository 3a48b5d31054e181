/* i18n.h — messages in the user's language through GNU gettext (domain
 * "arbiter"; po/zh_CN.po holds the Simplified Chinese).  Mark a message with
 * _("...") where it is used, or N_("...") where it is only stored (a table
 * of texts translated later with _()), and a message with a count with
 * P_("one ...", "several ...", n) (ngettext: as many forms as the language has).  The diagnostics'
 * format strings need no mark: diag_add and the checker's err/note translate their format, and
 * po/update-pot.sh extracts their literal arguments.
 *
 * Library code only looks messages up (dgettext with the domain): it never
 * calls setlocale, textdomain or bindtextdomain — the program does (the
 * arbiter command: cli_i18n in cli/cli_util.c).  A program that binds no
 * catalog gets the English messages. */
#ifndef ARB_I18N_H
#define ARB_I18N_H

#include <libintl.h>

#define ARB_TEXT_DOMAIN "arbiter"
#define _(s) dgettext(ARB_TEXT_DOMAIN, s)
#define N_(s) (s)
#define P_(s, p, n) dngettext(ARB_TEXT_DOMAIN, s, p, n)

#endif
