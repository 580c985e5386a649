/* spool.h: taking in the break-glass entries guard left in the spool directory while
 * guardd could not be reached (see spool-entry.h for one entry).
 *
 * Exactly once: an entry is first renamed to "<id>.json.ingesting", then recorded (the
 * record names its spool id and owner), and only once the record is on disk is the
 * file removed. A ".ingesting" file found at the next pass was either recorded and not
 * yet removed (its spool id and owner are in the log's tail: it is removed) or not
 * recorded (it is taken in). The spool directory is like /tmp (mode 3733, guardd's):
 * anyone may leave a file, nobody but its owner and root may remove it, nobody may list
 * it; so who wrote an entry is the file's owner, never what the file says. */
#pragma once

struct manager;

/* Entries taken in at most per pass (the rest wait for the next), and how much of the
 * log's end is searched for entries recorded just before a crash. */
#define SPOOL_PASS_MAX 4096
#define SPOOL_TAIL_MAX (8 * 1024 * 1024)

/* Takes in every entry of m->cfg.spool_dir (none when it is NULL or does not exist):
 * each becomes a "break-glass" record with "spooled": true; an entry that is refused
 * (not a regular file, a symbolic or hard link, too large, malformed) is renamed to
 * NAME.bad and a "spool-refused" record says so. Returns how many entries were
 * recorded, or negative errno after logging why the pass stopped (what was not taken
 * in stays for the next pass). */
int spool_ingest(struct manager *m);
