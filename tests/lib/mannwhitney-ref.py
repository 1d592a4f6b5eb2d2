#!/usr/bin/env python3
"""mannwhitney-ref.py: reference p-values of the one-sided Mann-Whitney U
test ("x greater than y"), computed independently of libcommon/stat.c, to
record into tests/unit/stat_test.c (not run by the tests).

Exact p: enumerate every way of choosing which of the N = nx + ny ranks
belong to x (itertools.combinations, fractions.Fraction), so for small
samples only. Normal approximation: the textbook formula with the tie
correction and the continuity correction (as scipy.stats.mannwhitneyu with
use_continuity=True, alternative="greater", method="asymptotic").

usage: mannwhitney-ref.py exact X1,X2,.. Y1,Y2,..
       mannwhitney-ref.py normal X1,X2,.. Y1,Y2,..
       mannwhitney-ref.py critical NX NY   (largest U with P(U >= u) > 0.05
                                           from the exact distribution)
"""
import itertools
import math
import sys
from fractions import Fraction


def u_of(x, y):
    u = Fraction(0)
    for a in x:
        for b in y:
            if a > b:
                u += 1
            elif a == b:
                u += Fraction(1, 2)
    return u


def distribution(nx, ny):
    """Counts of U over all C(N, nx) rank sets, no ties."""
    n = nx + ny
    counts = {}
    for xs in itertools.combinations(range(n), nx):
        # U = sum of x ranks (0-based) - nx(nx-1)/2
        u = sum(xs) - nx * (nx - 1) // 2
        counts[u] = counts.get(u, 0) + 1
    return counts, math.comb(n, nx)


def exact(x, y):
    u = u_of(x, y)
    counts, total = distribution(len(x), len(y))
    above = sum(c for k, c in counts.items() if k >= u)
    return u, Fraction(above, total), Fraction(counts.get(int(u), 0), total)


def normal(x, y):
    nx, ny = len(x), len(y)
    n = nx + ny
    u = u_of(x, y)
    groups = {}
    for v in list(x) + list(y):
        groups[v] = groups.get(v, 0) + 1
    ties = sum(t ** 3 - t for t in groups.values())
    mu = Fraction(nx * ny, 2)
    var = Fraction(nx * ny, 12) * ((n + 1) - Fraction(ties, n * (n - 1)))
    if var <= 0:
        return u, 1.0
    z = (float(u - mu) - 0.5) / math.sqrt(float(var))
    return u, 0.5 * math.erfc(z / math.sqrt(2))


def main(argv):
    if len(argv) == 4 and argv[1] in ("exact", "normal"):
        x = [float(v) for v in argv[2].split(",")]
        y = [float(v) for v in argv[3].split(",")]
        if argv[1] == "exact":
            u, p, pu = exact(x, y)
            print("U=%s p=%.17g P(U=u)=%.17g (%s)" % (u, float(p), float(pu), p))
        else:
            u, p = normal(x, y)
            print("U=%s p=%.17g" % (u, p))
        return 0
    if len(argv) == 4 and argv[1] == "critical":
        nx, ny = int(argv[2]), int(argv[3])
        counts, total = distribution(nx, ny)
        # smallest u with P(U >= u) <= 0.05
        acc = 0
        for u in sorted(counts, reverse=True):
            if Fraction(acc + counts[u], total) > Fraction(5, 100):
                print("U >= %d significant (P=%.6g); lower-tail critical %d"
                      % (u + 1, acc / total, nx * ny - u - 1))
                return 0
            acc += counts[u]
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
