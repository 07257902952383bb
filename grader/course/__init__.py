"""Course tools for instructors: grade a class (batch), build the student release and
the Gradescope autograder, and validate exercise folders."""
