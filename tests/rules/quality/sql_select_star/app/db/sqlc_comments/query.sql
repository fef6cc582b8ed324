/* name: ListCampuses :many */
SELECT * FROM campus;
