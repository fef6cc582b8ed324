-- sqlx migration (migrations/<version>_<name>.sql).
CREATE TABLE post (
    id bigserial PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES person (id)
);
