-- Monthly report queries. SELECT * FROM users in a comment is not a query.
SELECT *  -- optimus-expect: sql-select-star
FROM invoices
WHERE issued_at >= date_trunc('month', now());

SELECT customer_id, sum(total) FROM invoices GROUP BY customer_id;

SELECT 'select * from nowhere' AS note FROM invoices LIMIT 1;

CREATE VIEW invoice_view AS SELECT * FROM invoices;

WITH totals AS (
    SELECT customer_id, sum(total) AS total FROM invoices GROUP BY customer_id
)
SELECT * FROM totals;

SELECT i.*, c.name  -- optimus-expect: sql-select-star
FROM invoices i
JOIN customers c ON c.id = i.customer_id;

DO $$
BEGIN
    PERFORM 1;
END
$$;
