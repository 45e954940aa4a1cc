{#-
    dbt's `relationships`, within a shop: every non-null `column_name` of the model has a row in `to` with
    the same `field` and the same shop. Every key lapak joins on (order, customer, video, SKU, campaign)
    belongs to one shop's exports, so this is the stricter test: a video ID of shop A that exists only in
    shop B's videos fails it, where dbt's test would pass.

    It is also what lets the marts step test only the shops it rebuilt: the model's rows come through
    `get_where_subquery` (macros/tests/where_subquery.sql: the rebuilt shops, the rebuilt days, the test's
    own `where`); `to` is narrowed to the same shops and nothing else (a row of a rebuilt day may point at a
    parent row of any day). dbt's test read all of `to`: at 5M order lines 2.1 s of a one-shop rebuild for
    customers -> int_customers_first_ordered, a view that then aggregated every shop's orders.
-#}
{% test relationships_within_shop(model, column_name, to, field, shop_column='shop_id') %}

with

child as (

    select
        {{ shop_column }} as shop_id,
        {{ column_name }} as key_value
    from {{ model }}
    where {{ column_name }} is not null

),

parent as (

    select
        {{ shop_column }} as shop_id,
        {{ field }} as key_value
    from {{ to }}
    where {{ in_rebuilt_shops(shop_column) }}

)

select
    child.shop_id,
    child.key_value
from child
where not exists (
    select 1
    from parent
    where
        parent.shop_id = child.shop_id
        and parent.key_value = child.key_value
)

{% endtest %}
