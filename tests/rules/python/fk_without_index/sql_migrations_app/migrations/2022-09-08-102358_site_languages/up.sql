-- Diesel migration: history, read but not reported (a later migration adds the index).
CREATE TABLE site_language (
    id serial PRIMARY KEY,
    site_id int REFERENCES site ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    language_id int REFERENCES
    LANGUAGE ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    UNIQUE (site_id, language_id)
);
