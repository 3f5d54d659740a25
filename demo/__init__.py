"""demo/ (`nummus.demo`): the generated demo auction house (`house`) and `nummus demo` (`run`),
the whole pipeline on it. Not the product: a sample to try it on and to test it with."""
