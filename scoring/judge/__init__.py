"""The code judge: contestant programs compiled and run against a question's tests.

`types` holds what every backend speaks; `sandbox` runs one command in a bubblewrap box;
`local` judges with it; `judge0` hands the work to a Judge0 server; `backends` picks one
by setting. Only Celery workers of the `judge` queue call a backend: no web process ever
runs contestant code.
"""
