{#- Order status in either UI language -> one of unpaid, to_ship, shipped, completed, cancelled, other. -#}
{% macro order_status_category(col) -%}
    (case
        when {{ col }} is null then 'other'
        when lower({{ col }}) in ('belum dibayar', 'unpaid', 'awaiting payment') then 'unpaid'
        when lower({{ col }}) in ('perlu dikirim', 'to ship', 'awaiting shipment', 'awaiting collection') then 'to_ship'
        when lower({{ col }}) in ('dikirim', 'shipped', 'in transit', 'dalam pengiriman') then 'shipped'
        when lower({{ col }}) in ('selesai', 'completed', 'delivered', 'terkirim') then 'completed'
        when lower({{ col }}) in ('dibatalkan', 'cancelled', 'canceled') then 'cancelled'
        else 'other'
    end)
{%- endmacro %}

{#- `Cancel` / `Return/Refund` (or Indonesian) -> cancel / return_refund; NULL when the line has neither. -#}
{% macro cancel_return_type(col) -%}
    (case
        when {{ col }} is null then null
        when lower({{ col }}) in ('cancel', 'cancellation', 'pembatalan', 'batal') then 'cancel'
        when lower({{ col }}) in (
            'return/refund', 'return', 'refund', 'pengembalian', 'pengembalian dana',
            'pengembalian barang/dana', 'pengembalian/pengembalian dana'
        ) then 'return_refund'
        else 'other'
    end)
{%- endmacro %}
