-- Diesel down migration: never reported.
DROP TABLE site_language;
CREATE TABLE old_site_language (
    id serial PRIMARY KEY,
    language_id int REFERENCES language (id)
);
