{#-
    Counted sales of order lines (stg_tiktok__order_lines' columns), defined once for every model that sums
    them (docs/metrics.md, "Orders and sales"): a line counts (`is_counted`: not cancelled, not unpaid) toward
    orders, units and GMV; its returned units count whatever its status.
-#}

{#- Counted units of a group of lines; `lines`: the relation's name, where the lines come from a join. -#}
{% macro counted_units(lines=none) -%}
    {%- set p = lines ~ '.' if lines else '' -%}
    sum(case when {{ p }}is_counted then {{ p }}quantity else 0 end)
{%- endmacro %}

{#- `orders` (distinct counted orders; left out with orders=false, for a group that is one order), `units`,
    `gmv_idr`, `returned_units` of a group of lines. -#}
{% macro counted_sales(orders=true) -%}
    {%- if orders -%}
    count(distinct case when is_counted then order_id end) as orders,
    {% endif -%}
    {{ counted_units() }} as units,
    sum(case when is_counted then subtotal_after_discount_idr else 0 end) as gmv_idr,
    sum(returned_quantity) as returned_units
{%- endmacro %}

{#- A select of the counted sales of `order_lines` per shop, SKU and order day (lines without an order day are
    left out): sku_daily's rows and int_sku_days_stocked's sales. `names`: also the SKU's product name and
    seller SKU as its lines give them. -#}
{% macro counted_sku_day_sales(order_lines, names=false) -%}
    select
        shop_id,
        sku_id,
        order_date,
        {%- if names %}
        max(product_name) as product_name,
        max(seller_sku) as seller_sku,
        {%- endif %}
        {{ counted_sales() }}
    from {{ order_lines }}
    where order_date is not null
    group by
        shop_id,
        sku_id,
        order_date
{%- endmacro %}

{#- An order of int_orders_aggregated that makes its buyer a customer (docs/metrics.md, "Customer"): counted,
    with a buyer. Customers, their cohorts, LTV and retention read only these. -#}
{% macro is_customer_order() -%}
    is_counted and customer_key is not null
{%- endmacro %}
