from django.db import models
from django.db.models import Prefetch


class Customer(models.Model):
    name = models.CharField(max_length=100)


class Product(models.Model):
    name = models.CharField(max_length=100)
    category = models.ForeignKey("Category", on_delete=models.CASCADE)


class Category(models.Model):
    name = models.CharField(max_length=100)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    products = models.ManyToManyField(Product)
    coupon = models.OneToOneField("Coupon", null=True, on_delete=models.SET_NULL)
    note = models.TextField()


class Line(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")


def report() -> list[str]:
    out = []
    for order in Order.objects.filter(note__isnull=False).order_by("-id"):
        out.append(order.customer.name)  # optimus-expect: orm-n-plus-one
        out.append(str(order.customer_id))  # the raw id is a column: no query
        out.append(order.note)
        for product in order.products.all():  # optimus-expect: orm-n-plus-one
            out.append(product.name)
        out.append(str(order.line_set.count()))  # optimus-expect: orm-n-plus-one
    return out


def report_fast() -> list[str]:
    orders = Order.objects.select_related("customer", "coupon").prefetch_related(
        "products", Prefetch("line_set", queryset=Line.objects.all())
    )
    return [f"{o.customer.name} {o.coupon} {o.products.all()} {o.line_set.all()}" for o in orders]


def all_forward() -> list[str]:
    return [o.customer.name for o in Order.objects.select_related()]


def customers() -> list[int]:
    return [c.orders.count() for c in Customer.objects.all()]  # optimus-expect: orm-n-plus-one


def values_only() -> list[str]:
    return [row["customer"] for row in Order.objects.values("customer")]


def product_categories() -> list[str]:
    products = Product.objects.all()
    return [p.category.name for p in products[:10]]  # optimus-expect: orm-n-plus-one


def single() -> str:
    order = Order.objects.get(pk=1)
    return order.customer.name
