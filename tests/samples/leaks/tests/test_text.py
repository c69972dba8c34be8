from leakapp.text import slugify


def test_slugify_product_names():
    assert slugify("Sencha Green Tea") == "sencha-green-tea"
    assert slugify("Crème Brûlée Mug!") == "creme-brulee-mug"
