"""Read queries the API serves, one module per resource: projects, findings, scans, analysis.

Each function takes the caller's session and returns model rows (or small dataclasses);
filtering, sorting and pagination happen in SQL, on the indexes the models declare.
"""
