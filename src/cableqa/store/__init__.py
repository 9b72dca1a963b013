"""The SQLite half of an index, split along its seam.

- `schema`: the tables, how an older cableqa's database is brought up to date, how file names are kept;
- `codes`: how vectors are kept (8-bit codes with a scale);
- `reading`: `IndexReader`, what asking, the TUI and the paper trail use (read-only);
- `writing`: `IndexWriter`, what only the build uses (storing cables and vectors, its bookkeeping).
"""
