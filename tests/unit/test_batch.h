/*
 * test_batch.h: what the unit tests of batch share (test_batch.c for decoding
 * rows, test_batch_encode.c, test_batch_ack.c): the length of a case table and
 * strings of the lengths at the field limits.
 */
#ifndef CHISO_TEST_BATCH_H
#define CHISO_TEST_BATCH_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define A64  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A128 A64 A64
#define A240 A128 A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

#endif
