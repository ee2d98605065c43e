"""Edit distance and white-space folding shared by the benchmarks."""


def fold(s):
    """White space folded to single spaces, trimmed."""
    return " ".join(s.split())


def lev(a, b):
    """Levenshtein distance on characters: rapidfuzz when installed (fast),
    else the plain dynamic programme."""
    try:
        from rapidfuzz.distance import Levenshtein
        return Levenshtein.distance(a, b)
    except ImportError:
        pass
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a):
        cur = [i + 1]
        for j, cb in enumerate(b):
            cur.append(min(prev[j] + (ca != cb), prev[j + 1] + 1, cur[j] + 1))
        prev = cur
    return prev[-1]
