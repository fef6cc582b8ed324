-- Library schema (PostgreSQL).
CREATE TABLE author (
    id bigserial PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE book (
    id bigserial PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES author (id),  -- optimus-expect: fk-without-index
    publisher_id bigint REFERENCES publisher (id) ON DELETE SET NULL,
    isbn text UNIQUE,
    note text DEFAULT 'REFERENCES nothing'
);

CREATE INDEX IF NOT EXISTS ix_book_publisher ON book USING btree (publisher_id, id);

CREATE TABLE book_tag (
    book_id bigint NOT NULL,
    tag_id bigint NOT NULL,
    PRIMARY KEY (book_id, tag_id),
    FOREIGN KEY (book_id) REFERENCES book (id),
    CONSTRAINT book_tag_tag_fk FOREIGN KEY (tag_id) REFERENCES tag (id)  -- optimus-expect: fk-without-index
);

CREATE TABLE "Loan" (
    id bigserial PRIMARY KEY,
    "memberId" bigint NOT NULL,
    book_id bigint NOT NULL UNIQUE REFERENCES book (id)
);

ALTER TABLE ONLY public."Loan"
    ADD CONSTRAINT loan_member_fk FOREIGN KEY ("memberId") REFERENCES public.member(id);  -- optimus-expect: fk-without-index

CREATE TABLE review (
    id bigserial PRIMARY KEY,
    book_id bigint NOT NULL,
    reviewer_id bigint NOT NULL
);
ALTER TABLE review ADD CONSTRAINT review_book_fk FOREIGN KEY (book_id) REFERENCES book (id);
ALTER TABLE review ADD COLUMN editor_id bigint REFERENCES author (id);  -- optimus-expect: fk-without-index
CREATE INDEX CONCURRENTLY review_book_idx ON public.review (book_id);
CREATE INDEX review_lower_idx ON review (lower(reviewer_id::text));

CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
    -- REFERENCES in a function body is not DDL
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
