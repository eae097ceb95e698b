"""Whether NumPy computes ``exp`` and ``tanh`` here as where the quoted numbers were made.

The numbers that tests and the README quote to the last digit (the ``compare`` table, a
caption's spike, the predictions stored with the 0.1.0 model files) were computed without
NumPy's AVX-512 kernels. Where those are active, NumPy rounds a few results differently in
the last bit (see :mod:`nnscratch.cli.portable`, which makes the experiment commands
switch them off); one pass then differs by an ulp or two, and thousands of passes of a
chaotic run can move the fifth digit. Code called from Python, as these tests call it,
runs with whatever kernels the process has. So on such a machine those tests compare with
a stated tolerance instead of bit for bit; everything computed and compared in the same
process (the fast path against the plain one, the article's lines, the book's numbers)
stays exact everywhere.
"""

from nnscratch.cli.portable import wide_simd_features

#: True where no AVX-512 kernel of NumPy's is active in this process
SAME_MATH = not wide_simd_features()
