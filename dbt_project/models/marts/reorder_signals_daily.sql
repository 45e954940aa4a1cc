{%- set decay = var('reorder_demand_decay') -%}
{#- a day's age: 0 today, 1 yesterday, ... -#}
{%- set demand_days = var('reorder_demand_days') -%}
{%- set recent_days = var('spike_recent_days') -%}
{%- set trailing_last_age = recent_days + var('spike_trailing_days') - 1 -%}
{%- set oldest_age = [demand_days - 1, trailing_last_age] | max -%}

with

int_sku_days_stocked as (

    select * from {{ ref('int_sku_days_stocked') }}
    where {{ rebuilt_shops_only() }}

),

stg_seller__sku_settings as (

    select * from {{ ref('stg_seller__sku_settings') }}
    where {{ rebuilt_shops_only() }}

),

-- each day paired with itself and the days before it that any rate below reads (ages 0-29 by default)
day_pairs as (

    select
        today.shop_id,
        today.sku_id,
        today.date,
        past.units,
        today.day_index - past.day_index as age_days
    from int_sku_days_stocked as today
    inner join int_sku_days_stocked as past
        on
            today.shop_id = past.shop_id
            and today.sku_id = past.sku_id
            and today.day_index >= past.day_index
            and today.day_index - {{ oldest_age }} <= past.day_index

),

-- exact decimal sums, so a rebuild gives the same numbers whatever the summation order
weighted as (

    select
        shop_id,
        sku_id,
        date,
        units,
        age_days,
        cast(units as decimal(18, 0)) as units_dec,
        cast(power({{ decay }}, age_days) as decimal(18, 10)) as weight
    from day_pairs

),

demand_stats as (

    select
        shop_id,
        sku_id,
        date,
        sum(case when age_days <= {{ demand_days - 1 }} then units_dec * weight end)
        / sum(case when age_days <= {{ demand_days - 1 }} then weight end) as demand_rate_dec,
        sum(case when age_days between {{ recent_days }} and {{ trailing_last_age }} then units_dec end)
        / nullif(count(case when age_days between {{ recent_days }} and {{ trailing_last_age }} then 1 end), 0)
            as trailing_rate_dec,
        sum(case when age_days = 0 then units else 0 end) as units_today,
        sum(case when age_days <= {{ recent_days - 1 }} then units else 0 end) as units_recent,
        count(case when age_days <= {{ recent_days - 1 }} then 1 end) as days_recent,
        count(case when age_days <= {{ demand_days - 1 }} then 1 end) as history_days,
        sum(case when age_days <= {{ demand_days - 1 }} then units_dec end) as units_demand_days,
        sum(case when age_days <= {{ demand_days - 1 }} then units_dec * units_dec end) as units_squared_demand_days
    from weighted
    group by
        shop_id,
        sku_id,
        date

),

-- sample variance of daily units over the last 28 days (`reorder_demand_days`), from exact sums
demand_variances as (

    select
        *,
        case
            when history_days >= 2
                then (units_squared_demand_days - units_demand_days * units_demand_days / history_days)
                    / (history_days - 1)
        end as demand_variance
    from demand_stats

),

rates as (

    select
        int_sku_days_stocked.shop_id,
        int_sku_days_stocked.sku_id,
        int_sku_days_stocked.date,
        int_sku_days_stocked.as_of_date,
        int_sku_days_stocked.units,
        int_sku_days_stocked.snapshot_at,
        int_sku_days_stocked.stock_on_hand,
        int_sku_days_stocked.open_order_units,
        demand_stats.history_days,
        demand_stats.units_recent,
        cast(demand_stats.demand_rate_dec as {{ type_double() }}) as demand_rate_per_day,
        cast(demand_stats.trailing_rate_dec as {{ type_double() }}) as trailing_rate_per_day,
        -- the busier of the last 24 h and the last 48 h (`spike_recent_days`), per day
        cast(
            case
                when demand_stats.units_today * demand_stats.days_recent >= demand_stats.units_recent
                    then demand_stats.units_today
                else demand_stats.units_recent / cast(demand_stats.days_recent as decimal(18, 6))
            end as {{ type_double() }}
        ) as recent_rate_per_day,
        coalesce(sqrt(cast(demand_stats.demand_variance as {{ type_double() }})), 0) as demand_stddev_per_day,
        coalesce(
            stg_seller__sku_settings.lead_time_days, {{ var('reorder_default_lead_time_days') }}
        ) as lead_time_days,
        coalesce(
            stg_seller__sku_settings.service_level, {{ var('reorder_default_service_level') }}
        ) as service_level,
        coalesce(stg_seller__sku_settings.min_order_qty, {{ var('reorder_default_min_order_qty') }}) as min_order_qty,
        stg_seller__sku_settings.sku_id is not null as has_sku_settings
    from int_sku_days_stocked
    inner join demand_variances as demand_stats
        on
            int_sku_days_stocked.shop_id = demand_stats.shop_id
            and int_sku_days_stocked.sku_id = demand_stats.sku_id
            and int_sku_days_stocked.date = demand_stats.date
    left join stg_seller__sku_settings
        on
            int_sku_days_stocked.shop_id = stg_seller__sku_settings.shop_id
            and int_sku_days_stocked.sku_id = stg_seller__sku_settings.sku_id

),

points as (

    select
        *,
        recent_rate_per_day >= {{ var('spike_ratio') }} * trailing_rate_per_day
        and units_recent >= {{ var('spike_min_units') }} as is_spike,
        case
            when demand_rate_per_day > 0 then stock_on_hand / demand_rate_per_day
        end as days_of_cover,
        {{ normal_quantile('service_level') }} * demand_stddev_per_day * sqrt(lead_time_days) as safety_stock_units
    from rates

),

statuses as (

    select
        *,
        demand_rate_per_day * lead_time_days + safety_stock_units as reorder_point,
        case
            -- open orders exceed the units physically held (available stock + open orders)
            when stock_on_hand < 0 then 'oversold'
            -- runs out before an order placed today arrives
            when demand_rate_per_day > 0 and stock_on_hand < demand_rate_per_day * lead_time_days then 'urgent'
            when demand_rate_per_day > 0
                and stock_on_hand <= demand_rate_per_day * lead_time_days + safety_stock_units then 'reorder'
            else 'ok'
        end as status
    from points

),

final as (

    select
        {{ surrogate_key(['shop_id', 'sku_id', 'date']) }} as reorder_signal_id,
        shop_id,
        sku_id,
        date,
        as_of_date,
        units,
        snapshot_at,
        stock_on_hand,
        open_order_units,
        history_days,
        demand_rate_per_day,
        trailing_rate_per_day,
        recent_rate_per_day,
        demand_stddev_per_day,
        is_spike,
        days_of_cover,
        lead_time_days,
        service_level,
        has_sku_settings,
        safety_stock_units,
        reorder_point,
        case
            when status = 'ok' or stock_on_hand is null then 0
            else cast(greatest(
                    min_order_qty,
                    ceil(reorder_point + demand_rate_per_day * {{ var('reorder_review_days') }} - stock_on_hand)
                ) as {{ dbt.type_int() }})
        end as suggested_order_qty,
        case when stock_on_hand is null then 'unknown' else status end as status
    from statuses

)

select * from final
