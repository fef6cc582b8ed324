-- A migration runs once.
INSERT INTO user_archive SELECT * FROM user_;
SELECT * FROM user_ WHERE deleted;
