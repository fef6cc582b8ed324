-- There is no restore for this: a down migration that only checks the table is there.
SELECT
    *
FROM
    user_
LIMIT 1;
