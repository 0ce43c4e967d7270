/*
 * FP32 <-> JSON number text for ovms-ts, compiled to a freestanding WebAssembly module by
 * scripts/build-wasm.sh (no libc, no WASI). The host copies body bytes or float32 values into
 * this module's memory, calls one function per run of numbers, and copies the result out.
 *
 * Both directions compute exactly what the TypeScript paths in ../src/json compute (IEEE
 * double arithmetic is the same here as in JS), so the two agree bit for bit:
 *  - reading: the float32 of the double nearest to the decimal text, i.e. the reader's
 *    Math.fround(Number(text)); what cannot be settled here ends the run and the host's
 *    general reader converts that token;
 *  - writing: the fewest significant digits (at most 9) that read back to the same float32.
 *    Values that path does not cover end the run and the host formats them.
 */
typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;

#define MAX_NUMBER_CHARS 64
#define MAX_FAST_EXPONENT 100
#define MAX_EXACT_POW10 22
/* 2^53: mantissas up to it are exact doubles (Clinger's fast path). */
#define MAX_EXACT_MANTISSA 9007199254740992ULL
/* Digits a u64 mantissa holds without overflow. */
#define MAX_MANTISSA_DIGITS 19

/* Why a reading run ended, stored in run_state[1]. */
#define STOP_OTHER 0  /* at something the fast path does not take: the host reads it */
#define STOP_WINDOW 1 /* at the end of the bytes loaded so far: the host loads more */
#define STOP_FULL 2   /* the output area is full */

/* Powers of ten as the nearest doubles: exact up to 10^22, one rounding each beyond. */
static const double POW10[MAX_FAST_EXPONENT + 1] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
  1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29,
  1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39,
  1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47, 1e48, 1e49,
  1e50, 1e51, 1e52, 1e53, 1e54, 1e55, 1e56, 1e57, 1e58, 1e59,
  1e60, 1e61, 1e62, 1e63, 1e64, 1e65, 1e66, 1e67, 1e68, 1e69,
  1e70, 1e71, 1e72, 1e73, 1e74, 1e75, 1e76, 1e77, 1e78, 1e79,
  1e80, 1e81, 1e82, 1e83, 1e84, 1e85, 1e86, 1e87, 1e88, 1e89,
  1e90, 1e91, 1e92, 1e93, 1e94, 1e95, 1e96, 1e97, 1e98, 1e99,
  1e100};

/* A band wider than the error of a folded mantissa times a rounded power (three roundings,
   under 2^-51 relative): when both ends give one float32, so does the exact value. */
static const double BAND = 1.0 / 17592186044416.0; /* 2^-44 */

/* Results of the last call: [0] the offset where it stopped, [1] why (STOP_*), [2] bytes
   written. */
static u32 run_state[3];

__attribute__((export_name("state"))) u32 *state(void) { return run_state; }

static inline u64 load64(const u8 *p) {
  u64 w;
  __builtin_memcpy(&w, p, 8);
  return w;
}

/* Eight ASCII digits at once: every byte's high nibble is 3, both before and after adding 6. */
static inline int eight_digits(u64 w) {
  return ((w & 0xF0F0F0F0F0F0F0F0ULL) |
          (((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ==
         0x3333333333333333ULL;
}

/* The value of eight ASCII digits (little-endian load, first digit in the low byte), by
   pairing neighbours three times: 1+1 -> 2, 2+2 -> 4, 4+4 -> 8 digits. */
static inline u32 parse_eight(u64 w) {
  w = ((w & 0x0F0F0F0F0F0F0F0FULL) * (10 * 256 + 1)) >> 8;
  w = ((w & 0x00FF00FF00FF00FFULL) * (100 * 65536 + 1)) >> 16;
  return (u32)(((w & 0x0000FFFF0000FFFFULL) * (10000ULL * 4294967296ULL + 1)) >> 32);
}

static inline int is_digit(u8 c) { return (u8)(c - '0') <= 9; }

static inline const u8 *skip_space(const u8 *p) {
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  return p;
}

/* Digits from p up to stop, folded into *m; *digits counts those after the first non-zero. */
static inline const u8 *read_digits(const u8 *p, const u8 *stop, u64 *m, i32 *digits) {
  u64 mantissa = *m;
  i32 count = *digits;
  if (mantissa == 0)
    while (p < stop && *p == '0') p++;
  while (stop - p >= 8) {
    u64 w = load64(p);
    if (!eight_digits(w)) break;
    mantissa = mantissa * 100000000ULL + parse_eight(w);
    count += 8;
    p += 8;
  }
  while (p < stop && is_digit(*p)) {
    mantissa = mantissa * 10 + (u64)(*p - '0');
    count += 1;
    p += 1;
  }
  *m = mantissa;
  *digits = count;
  return p;
}

/*
 * One plain RFC 8259 number at p (sign, digits, fraction, exponent) within [p, stop): stores
 * its float32 in *out and returns the byte after it, or 0 when the token is anything else or
 * the fast path cannot settle its rounding.
 */
static const u8 *read_number(const u8 *p, const u8 *stop, float *out) {
  const u8 *start = p;
  /* Signs are random in model data: no branch to mispredict. */
  u32 negative = *p == '-';
  p += negative;
  /* A leading zero followed by a digit is malformed; the host's reader says so. */
  if (p + 1 < stop && *p == '0' && is_digit(p[1])) return 0;
  const u8 *first = p;
  u64 m = 0;
  i32 digits = 0;
  p = read_digits(p, stop, &m, &digits);
  if (p == first) return 0;
  i32 exponent = 0;
  if (p < stop && *p == '.') {
    const u8 *fraction = ++p;
    p = read_digits(p, stop, &m, &digits);
    if (p == fraction) return 0;
    exponent = -(i32)(p - fraction);
  }
  if (p < stop && (*p == 'e' || *p == 'E')) {
    p++;
    u8 sign = p < stop ? *p : 0;
    if (sign == '-' || sign == '+') p++;
    const u8 *digits_start = p;
    i32 value = 0;
    for (; p < stop && is_digit(*p); p++)
      if (value < 1000000) value = value * 10 + (*p - '0');
    if (p == digits_start) return 0;
    exponent += sign == '-' ? -value : value;
  }
  /* A token that reached the bound may go on: the host's reader measures and refuses it. */
  if (p - start >= MAX_NUMBER_CHARS) return 0;
  float result;
  if (m == 0) {
    result = 0.0f;
  } else {
    if (digits > MAX_MANTISSA_DIGITS) return 0;
    if (exponent < -MAX_FAST_EXPONENT || exponent > MAX_FAST_EXPONENT) return 0;
    double value = (double)m;
    value = exponent >= 0 ? value * POW10[exponent] : value / POW10[-exponent];
    if (m <= MAX_EXACT_MANTISSA && exponent >= -MAX_EXACT_POW10 && exponent <= MAX_EXACT_POW10) {
      /* Both operands exact: one IEEE operation rounds correctly. */
      result = (float)value;
    } else {
      /* The float32 cast is monotonic: both ends of the band agreeing settles it. */
      float low = (float)(value * (1 - BAND));
      if (low != (float)(value * (1 + BAND))) return 0;
      result = low;
    }
  }
  u32 bits;
  __builtin_memcpy(&bits, &result, 4);
  bits |= negative << 31;
  __builtin_memcpy(out, &bits, 4);
  return p;
}

/*
 * Reads `, number` pairs from in[pos..len) (in[len] must be 0) into out, at most max of
 * them; returns how many. run_state[0] is where the next element's comma is; run_state[1]
 * why the run ended. With final = 0 the bytes go on past len, so no token is taken unless
 * all the bytes that decide it are loaded.
 */
__attribute__((export_name("read_float32_run"))) u32 read_float32_run(const u8 *in, u32 len,
                                                                      u32 pos, float *out,
                                                                      u32 max, u32 final) {
  const u8 *end = in + pos;
  const u8 *limit = in + len;
  u32 count = 0;
  u32 reason = STOP_FULL;
  while (count < max) {
    const u8 *p = end;
    /* Whitespace is rare in machine-written arrays: test for the comma first. */
    if (*p != ',') {
      p = skip_space(p);
      if (*p != ',') {
        reason = p >= limit && !final ? STOP_WINDOW : STOP_OTHER;
        break;
      }
    }
    p++;
    if (*p <= ' ') p = skip_space(p);
    if (!final && limit - p <= MAX_NUMBER_CHARS) {
      reason = STOP_WINDOW;
      break;
    }
    const u8 *stop = limit - p > MAX_NUMBER_CHARS ? p + MAX_NUMBER_CHARS : limit;
    const u8 *next = read_number(p, stop, out + count);
    if (next == 0) {
      reason = STOP_OTHER;
      break;
    }
    count++;
    end = next;
  }
  run_state[0] = (u32)(end - in);
  run_state[1] = reason;
  return count;
}

/*
 * Division by constants as a multiply and a shift (the reciprocal rounded up, exact for every
 * u32 numerator): V8 compiles WebAssembly's i32.div_u to a hardware divide, tens of cycles.
 */
static inline u32 div10(u32 n) { return (u32)(((u64)n * 0xCCCCCCCDULL) >> 35); }
static inline u32 div10000(u32 n) { return (u32)(((u64)n * 3518437209ULL) >> 45); }
static inline u32 div100000000(u32 n) { return (u32)(((u64)n * 1441151881ULL) >> 57); }

static inline void store64(u8 *p, u64 w) { __builtin_memcpy(p, &w, 8); }

/* Copies 16 bytes: the up to 10 digits wanted, and bytes past them that later writes
   overwrite (the host leaves slack after the text area). */
static inline void copy16(u8 *to, const u8 *from) {
  store64(to, load64(from));
  store64(to + 8, load64(from + 8));
}

/*
 * The eight ASCII digits of n < 10^8, the first in the low byte, without a loop: split into
 * 4-digit halves in 32-bit lanes, then 2-digit quarters in 16-bit lanes, then digits in
 * bytes, dividing every lane at once by multiplying with a scaled reciprocal (x * 5243 >> 19
 * is x / 100 for x < 43699; x * 103 >> 10 is x / 10 for x < 179).
 */
static inline u64 ascii8(u32 n) {
  u64 high = div10000(n);
  u64 v = high | ((n - high * 10000) << 32);
  u64 hundreds = ((v * 5243) >> 19) & 0x0000007F0000007FULL;
  v = hundreds | ((v - hundreds * 100) << 16);
  u64 tens = ((v * 103) >> 10) & 0x000F000F000F000FULL;
  v = tens | ((v - tens * 10) << 8);
  return v + 0x3030303030303030ULL;
}

static const u32 UINT_POW10[10] = {1,      10,      100,      1000,      10000,
                                   100000, 1000000, 10000000, 100000000, 1000000000};

/* Digits of n, from its bit length (log10(2) ~ 1233 / 4096). */
static inline i32 decimal_length(u32 n) {
  i32 guess = ((32 - __builtin_clz(n | 1)) * 1233) >> 12;
  return guess + ((n | 1) >= UINT_POW10[guess]);
}

/* n < 2^31 as ten ASCII digits, zero-padded, at digits_text[0..10). */
static u8 digits_text[32];

static inline const u8 *ascii10(u32 n, i32 count) {
  u32 high = div100000000(n);
  u32 high_tens = div10(high);
  digits_text[0] = (u8)('0' + high_tens);
  digits_text[1] = (u8)('0' + high - high_tens * 10);
  store64(digits_text + 2, ascii8(n - high * 100000000));
  return digits_text + 10 - count;
}

/* x rounded half up, for 0 <= x < 2^31: adding 0.5 is exact there. */
static inline u32 round_small(double x) {
  /* floor, then the integer read from the low bits of floor + 2^52: V8 checks a float to
     integer conversion for overflow, a few instructions more. */
  double whole = __builtin_floor(x + 0.5) + 4503599627370496.0;
  u64 bits;
  __builtin_memcpy(&bits, &whole, 8);
  return (u32)bits;
}

/* 10^e as the nearest double for -38 <= e <= 7, the thresholds of the decimal exponent. */
static const double POW10_SIGNED[46] = {1e-38, 1e-37, 1e-36, 1e-35, 1e-34, 1e-33, 1e-32, 1e-31, 1e-30, 1e-29, 1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7};
static inline double pow10_signed(i32 e) { return POW10_SIGNED[e + 38]; }

/*
 * Whether round(a * 10^k) * 10^-k reads back as a, i.e. Math.fround(Number(text)) === a, as
 * 1 (yes), 0 (no) or 2 (too close to call here). The neighbouring float32s are half_up and
 * half_down away, doubled. Scaled by 10^k, the decimal's distance from a is rounded - y to
 * within y * 2^-53 (y = a * 10^k as computed); inside both half-gaps, or outside one, by more
 * than that (and more than a double's rounding of the text), the answer is certain. Only a
 * decimal within a hair of a midpoint between float32s is left to the exact test.
 */
static inline u32 reads_back(double y, double scale, double half_up, double half_down) {
  double d = (double)round_small(y) - y;
  double margin = y * 0x1p-50;
  double up = half_up * scale;
  double down = half_down * scale;
  u32 inside = (d + margin < up) & (margin - d < down);
  u32 outside = (d - margin > up) | (-d - margin > down);
  return inside | ((inside | outside) ^ 1) << 1;
}

/* The exact test: the reader's conversion, one correctly rounded division then the cast. */
static inline u32 reads_back_exactly(u32 digits, double scale, double a) {
  return (double)(float)((double)digits / scale) == a;
}

/* 1e7 and the least normal number as float32 bits. */
#define FLOAT32_1E7 0x4B189680u
#define FLOAT32_MIN_NORMAL 0x00800000u
/* Per float32 exponent field: the decimal exponent of the binade's least value, and the
   power of ten within the binade where it goes one up (+inf when none), clamped to
   [-38, 6] as the first guess of the digits loop requires. */
static signed char binade_e10[256];
static double binade_step[256];
static int tables_ready;

static void set_up_tables(void) {
  for (u32 exponent = 1; exponent < 255; exponent++) {
    u32 bits = exponent << 23;
    float low;
    __builtin_memcpy(&low, &bits, 4);
    double a = (double)low;
    i32 e10 = 6;
    while (e10 > -38 && a < pow10_signed(e10)) e10--;
    binade_e10[exponent] = (signed char)e10;
    binade_step[exponent] = e10 < 6 ? pow10_signed(e10 + 1) : __builtin_inf();
  }
  tables_ready = 1;
}

/* Far above every rounding error of x = a * 10^s on the way (within 2^-52 x, x < 2^30). */
#define MARGIN 0x1p-20

/*
 * Whether x, a * 10^s with 10^s not exact (s > 22), is too near a half-integer to round
 * as the exact product would: the host formats such a value (toPrecision rounds the exact
 * decimal value).
 */
static inline int near_half(double x, i32 s) {
  return s > MAX_EXACT_POW10 && __builtin_fabs(x - __builtin_floor(x) - 0.5) < MARGIN;
}

/* A float32 as decimal digits: digits * 10^(e10 - count + 1), count of them. */
typedef struct {
  u32 digits;
  i32 count;
  i32 e10;
  u32 negative;
} Decimal;

/*
 * The fewest significant digits (trimmed from 9 one at a time while they read back) of
 * value into *decimal; 0 for a value this path does not cover (NaN, ±Infinity, integers
 * >= 2^31, subnormals, and the rare value whose rounding it cannot settle). Below 1e-14 the
 * scales 10^s are not exact doubles: the few decisions that rounding could sway are checked
 * with a margin, as the digit trimming's are.
 */
static inline int to_decimal(float value, Decimal *decimal) {
  u32 bits;
  __builtin_memcpy(&bits, &value, 4);
  u32 magnitude = bits & 0x7FFFFFFFu;
  float absolute;
  __builtin_memcpy(&absolute, &magnitude, 4);
  double a = (double)absolute;
  decimal->negative = bits >> 31;
  u32 exponent = magnitude >> 23;
  /* Integers below 2^31: no bits of the 24-bit significand below the point. */
  u32 below_point = exponent < 150 ? (1u << (exponent >= 127 ? 150 - exponent : 23)) - 1 : 0;
  if (magnitude == 0 || (exponent >= 127 && exponent < 158 && (magnitude & below_point) == 0)) {
    u32 whole = (u32)(i32)a;
    i32 count = decimal_length(whole);
    decimal->digits = whole;
    decimal->count = count;
    decimal->e10 = count - 1;
    return 1;
  }
  /* Non-integers are below 2^23, so e10 <= 6. */
  if (magnitude < FLOAT32_MIN_NORMAL || magnitude >= FLOAT32_1E7) return 0;
  /* The decimal exponent: at most one power of ten lies in a binade. */
  i32 e10 = binade_e10[exponent] + (a >= binade_step[exponent]);
    /* Nine digits: D in [1e8, 1e9), adjusting when the estimate or the rounding was off. */
    i32 s = 8 - e10;
    if (near_half(a * POW10[s], s)) return 0;
    u32 digits = round_small(a * POW10[s]);
    if (digits >= 1000000000u) {
      s--;
      digits = round_small(a * POW10[s]);
    } else if (digits < 100000000u && s < MAX_FAST_EXPONENT) {
      s++;
      digits = round_small(a * POW10[s]);
    }
    /* Fewer digits while they still read back; a candidate with s < 0 would be an integer. */
    /* Half the gap to the float32 above: a is m * 2^(exponent - 150) with a 24-bit m. */
    u64 half_bits = (u64)((magnitude >> 23) - 151 + 1023) << 52;
    /* Below a power of two the float32 below is half as far (an exponent one lower). */
    u32 power_of_two = (magnitude & 0x7FFFFFu) == 0;
    u64 half_down_bits = half_bits - ((u64)power_of_two << 52);
    double half_up, half_down;
    __builtin_memcpy(&half_up, &half_bits, 8);
    __builtin_memcpy(&half_down, &half_down_bits, 8);
    /*
     * Digits that can go: dropping k of the nine moves the text by the distance from x to
     * the nearest multiple of 10^k, which only grows with k, so the count of k in 1..3 within
     * the half-gap is how many go, with no branch to mispredict (how many go is random from
     * value to value). The loop takes over past three, when a distance is within a hair of
     * the half-gap, and where the gap below is half the one above (a power of two).
     */
    i32 count = 9;
    double x = a * POW10[s];
    double half = half_up * POW10[s];
    /* x less the multiple of 10^k below it, exactly for the quotient taken: a quotient one
       off (x within a rounding of a multiple) gives a rest near 0 or 10^k, the same distance. */
    double rest1 = x - 10 * __builtin_floor(x * 0.1);
    double rest2 = x - 100 * __builtin_floor(x * 0.01);
    double rest3 = x - 1000 * __builtin_floor(x * 0.001);
    /* Distances to the nearest multiple, with fabs: V8 compiles a float select to a branch. */
    double off1 = 5 - __builtin_fabs(rest1 - 5);
    double off2 = 50 - __builtin_fabs(rest2 - 50);
    double off3 = 500 - __builtin_fabs(rest3 - 500);
    double inside = half - MARGIN, near = half + MARGIN;
    u32 dropped = (off1 < inside) + (off2 < inside) + (off3 < inside);
    u32 unsure = dropped != (off1 < near) + (off2 < near) + (off3 < near);
    unsure |= power_of_two | (s < 3);
    if (!unsure && dropped < 3) {
      s -= (i32)dropped;
      count -= (i32)dropped;
      digits = round_small(a * POW10[s]);
    } else {
      while (s > 0) {
        double scale = POW10[s - 1];
        double y = a * scale;
        u32 shorter = round_small(y);
        u32 ok = reads_back(y, scale, half_up, half_down);
        if (ok == 2) {
          /* Only an exact scale makes the division the reader's conversion. */
          if (s - 1 > MAX_EXACT_POW10) return 0;
          ok = reads_back_exactly(shorter, scale, a);
        }
        if (!ok) break;
        digits = shorter;
        s--;
        count--;
      }
    }
    if (near_half(a * POW10[s], s)) return 0;
    /* A rounding that carried ("9.99..." -> "10") has one digit more; drop trailing zeros. */
    if (digits >= UINT_POW10[count]) count++;
    for (u32 q = div10(digits); q * 10 == digits; q = div10(digits)) {
      digits = q;
      s--;
      count--;
    }
    e10 = count - 1 - s;
  decimal->digits = digits;
  decimal->count = count;
  decimal->e10 = count - 1 - s;
  return 1;
}

/* The text of *decimal at p, as Number.prototype.toString lays it out (exponent form below
   1e-6); returns the byte after it, and writes up to 16 bytes past that. */
static inline u8 *write_decimal(u8 *p, const Decimal *decimal) {
  /* Signs are random in model outputs: no branch to mispredict. */
  *p = '-';
  p += decimal->negative;
  i32 count = decimal->count;
  i32 e10 = decimal->e10;
  const u8 *text = ascii10(decimal->digits, count);
  if (e10 >= 0) {
    /* ddd[.ddd]: all the digits, then the fraction again one byte on, after the point (an
       integer has no fraction: its point lands past the text). */
    i32 point = e10 + 1;
    copy16(p, text);
    copy16(p + point + 1, text + point);
    p[point] = '.';
    return p + count + (point < count);
  }
  if (e10 >= -6) {
    /* 0.000ddd */
    store64(p, 0x3030303030302E30ULL); /* "0.000000" */
    p += 1 - e10;
    copy16(p, text);
    return p + count;
  }
  /* d[.ddd]e-N */
  *p = text[0];
  if (count > 1) {
    p[1] = '.';
    copy16(p + 2, text + 1);
    p += count + 1;
  } else {
    p += 1;
  }
  *p++ = 'e';
  *p++ = '-';
  i32 exponent = -e10;
  if (exponent >= 10) *p++ = (u8)('0' + exponent / 10);
  *p++ = (u8)('0' + exponent % 10);
  return p;
}

/* Values converted before any is written: the conversions of a batch do not wait on one
   another's text length, so the processor overlaps them. */
#define BATCH 64
static Decimal batch[BATCH];

/*
 * Writes values[0..n) as JSON numbers separated by commas (and one before values[0] when
 * comma is set) at out; returns how many were written and their byte count in run_state[2].
 * Stops before a value to_decimal does not cover: the host writes that one. Writes up to 16
 * bytes past the text it reports.
 */
__attribute__((export_name("write_float32s"))) u32 write_float32s(const float *values, u32 n,
                                                                  u8 *out, u32 comma) {
  if (!tables_ready) set_up_tables();
  u8 *p = out;
  u32 i = 0;
  while (i < n) {
    u32 size = n - i < BATCH ? n - i : BATCH;
    u32 ready = 0;
    while (ready < size && to_decimal(values[i + ready], &batch[ready])) ready++;
    for (u32 j = 0; j < ready; j++) {
      if (i + j > 0 || comma) *p++ = ',';
      p = write_decimal(p, &batch[j]);
    }
    i += ready;
    if (ready < size) break;
  }
  run_state[2] = (u32)(p - out);
  return i;
}
