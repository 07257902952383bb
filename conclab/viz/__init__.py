"""Pictures: timeline and speedup plots (live), the renderer process, widgets, quizzes."""
