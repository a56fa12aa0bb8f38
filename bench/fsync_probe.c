/*
 * fsync_probe.c: the disk's raw durable-append rate, the reference of the
 * durable-writes benchmark (bench/run.py). It appends RECORD bytes to a new file
 * in DIR and calls fdatasync after each append, for SECONDS seconds, and prints
 * "appends seconds rate" on one line. It removes its file when done.
 *
 *   cc -O2 -o fsync_probe bench/fsync_probe.c && ./fsync_probe DIR [SECONDS] [RECORD]
 *
 * Not a test: a measuring tool, with no dependency but libc.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: fsync_probe DIR [SECONDS] [RECORD_BYTES]\n");
		return 2;
	}
	double secs = argc > 2 ? atof(argv[2]) : 5.0;
	long rec = argc > 3 ? atol(argv[3]) : 200;
	if (secs <= 0 || rec <= 0 || rec > 65536) {
		fprintf(stderr, "fsync_probe: bad SECONDS or RECORD_BYTES\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/fsync_probe.%ld.dat", argv[1], (long)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	char buf[65536];
	memset(buf, 'x', sizeof(buf));
	long n = 0;
	int rc = 0;
	double t0 = now_s(), t = t0;
	while (t - t0 < secs) {
		if (write(fd, buf, (size_t)rec) != (ssize_t)rec || fdatasync(fd) != 0) {
			perror("fsync_probe");
			rc = 1;
			break;
		}
		n++;
		t = now_s();
	}
	close(fd);
	unlink(path);
	printf("%ld %.3f %.1f\n", n, t - t0, (double)n / (t - t0));
	return rc;
}
