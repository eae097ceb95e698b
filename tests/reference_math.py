"""Whether NumPy computes ``exp``, ``log`` and ``tanh`` here as where the quoted numbers
were made.

The numbers that tests and the README quote to the last digit (the ``compare`` table, a
caption's spike, the predictions stored with the 0.1.0 model files) were computed where
NumPy's float64 ``exp``, ``log`` and ``tanh`` run their AVX2 code (NumPy's dispatch target
``X86_V3``). On a CPU with AVX-512 NumPy runs other code for them (``X86_V4``), which
rounds some results differently in the last bit; one pass then differs by an ulp or two,
and thousands of passes of a chaotic run can move the fifth digit. Both are right to the
precision float64 promises. Where this machine differs, those tests compare with a stated
tolerance instead of bit for bit; everything computed and compared on the same machine
(the fast path against the plain one, the article's lines, the book's numbers) stays
exact everywhere.

``NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"`` makes an AVX-512 machine
compute as the reference one.
"""

REFERENCE_TARGET = "X86_V3"


def numpy_math_is_the_reference() -> bool:
    """True where NumPy's float64 exp, log and tanh run the reference code (see above);
    False where that cannot be told (a NumPy without ``numpy.lib.introspect``)."""
    try:
        from numpy.lib.introspect import opt_func_info
    except ImportError:
        return False
    info = opt_func_info(func_name="^(exp|log|tanh)$", signature="float64")
    targets = {loops["dd"]["current"] for loops in info.values()}
    return targets == {REFERENCE_TARGET}


SAME_MATH = numpy_math_is_the_reference()
