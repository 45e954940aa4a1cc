-- Cumulative GMV can only grow week over week within a cohort.
with

ltv_weekly as (

    select * from {{ ref('ltv_weekly') }}
    where {{ in_rebuilt_shops() }}

),

with_previous as (

    select
        shop_id,
        cohort_week,
        weeks_since_first_order,
        cumulative_gmv_idr,
        lag(cumulative_gmv_idr) over (
            partition by shop_id, cohort_week
            order by weeks_since_first_order
        ) as previous_cumulative_gmv_idr
    from ltv_weekly

),

final as (

    select * from with_previous
    where cumulative_gmv_idr < previous_cumulative_gmv_idr

)

select * from final
