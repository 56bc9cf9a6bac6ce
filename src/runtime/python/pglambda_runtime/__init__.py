"""Parts of pglambda's Python runtime client; bootstrap.py is the entry point.

The package name is deliberately unusual: these modules are imported before the function's
code, and a plain name (`client`, `context`) would shadow a user module of the same name.
"""
