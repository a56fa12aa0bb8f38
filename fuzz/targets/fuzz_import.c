/*
 * fuzz_import.c: the household roster import (src/core/import.c: textenc,
 * csv, header mapping, member lists, checks against the village) on the demo
 * village in a temporary database (fuzz_world.h). An input is the file as
 * uploaded; one that starts with 'A' is applied (the 'A' dropped), any other
 * is a dry run. Checks: a dry run changes nothing, a report with problems
 * applied nothing, and every problem's text is valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/import.h"
#include "fuzz_world.h"
#include "util/utf8.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const actor operator_ = {.user = NULL, .ip = "fuzz"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fw_open();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool apply = size > 0 && data[0] == 'A';
	const uint8_t *d = apply ? data + 1 : data;
	size_t n = apply ? size - 1 : size;
	/* a copy of exactly n bytes, so that ASan sees any read past the end */
	char *copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	if (n)
		memcpy(copy, d, n);
	arena ar;
	arena_init(&ar, 256u * 1024 * 1024);
	import_report rep;
	core_err err;
	memset(&rep, 0, sizeof(rep));
	core_status st = import_households(fw.st, &operator_, fw.demo.village_id, copy, n, !apply,
	                                   &ar, &rep, NULL, NULL, &err);
	if (st == CORE_OK) {
		if ((!apply || rep.nproblems) && rep.applied)
			abort();
		size_t shown = rep.nproblems < IMPORT_MAX_PROBLEMS ? rep.nproblems : IMPORT_MAX_PROBLEMS;
		for (size_t i = 0; rep.problems && i < shown; i++)
			if (!utf8_valid(rep.problems[i].zh, strlen(rep.problems[i].zh)) ||
			    !utf8_valid(rep.problems[i].en, strlen(rep.problems[i].en)))
				abort();
	} else if (st == CORE_ERROR) {
		/* a database failure on a file is a bug: rows are checked before writing */
		fprintf(stderr, "fuzz_import: %s\n", err.en);
		abort();
	} else if (!utf8_valid(err.zh, strlen(err.zh)) || !utf8_valid(err.en, strlen(err.en))) {
		abort();
	}
	arena_free(&ar);
	free(copy);
	return 0;
}
