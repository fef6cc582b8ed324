SELECT * FROM orders WHERE total IS NULL;
