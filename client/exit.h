/* exit.h: the exit codes of guard and guardctl (see guard(1), ARCHITECTURE.md). */
#pragma once

enum {
	EXIT_ALLOWED = 0,   /* --check: it would run with no human step */
	EXIT_DENIED = 1,    /* denied; guardctl: the check found problems */
	EXIT_HUMAN = 2,     /* needs a human step (confirm, reason, approval) */
	EXIT_UNDECIDED = 3, /* no decision: daemon unreachable or answered an error */
	EXIT_USAGE = 4,     /* bad command line */
	EXIT_CANNOT_EXEC = 126,
	EXIT_NOT_FOUND = 127,
};
