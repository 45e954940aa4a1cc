with

nps_responses as (

    select * from {{ source('seller', 'nps_responses') }}

),

ranked as (

    select
        *,
        {{ newest_export_rank(['response_id']) }} as recency_rank
    from nps_responses

),

-- the free-text comment is left in raw: it can hold personal data
final as (

    select
        _shop_id as shop_id,
        response_id,
        {{ parse_wib_ts('responded_at') }} as responded_at,
        campaign_id,
        order_id,
        {{ parse_int('score') }} as score,
        {{ nps_band(parse_int('score')) }} as nps_band,
        lower(channel) as channel,
        _export_at as export_at,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
