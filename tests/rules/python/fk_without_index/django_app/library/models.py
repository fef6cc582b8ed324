from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(  # optimus-expect: fk-without-index
        Author, on_delete=models.SET_NULL, null=True, db_index=False, related_name="edited"
    )
    translator = models.ForeignKey(
        "Author", on_delete=models.SET_NULL, null=True, db_index=False, related_name="+"
    )
    series = models.ForeignKey("Series", on_delete=models.CASCADE, db_index=False)
    isbn = models.CharField(max_length=13, db_index=False)

    class Meta:
        indexes = [models.Index(fields=["translator", "isbn"])]
        unique_together = [("series", "isbn")]


class Series(models.Model):
    name = models.CharField(max_length=100)
    owner = models.OneToOneField(Author, on_delete=models.CASCADE, db_index=False)


class BaseDiscount(models.Model):
    promotion = models.ForeignKey(Series, on_delete=models.SET_NULL, null=True, db_index=False)
    voucher = models.ForeignKey(  # optimus-expect: fk-without-index
        Series, on_delete=models.SET_NULL, null=True, db_index=False, related_name="+"
    )

    class Meta:
        abstract = True


class OrderDiscount(BaseDiscount):
    class Meta:
        indexes = [models.Index(fields=["promotion"], name="orderdiscount_promotion_idx")]
