def test_raw(cur):
    cur.execute("SELECT * FROM users")
